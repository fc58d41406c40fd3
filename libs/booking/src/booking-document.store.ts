import { Inject, Injectable } from '@nestjs/common';
import { type Json, SAGA_STORE, type SagaStore } from '@dta/saga';

/** Lost compare-and-set races one write may take before it gives up (the task is then retried). */
const MAX_WRITE_RACES = 100;

/** What a change decides: the value to store (none: leave the document as it is) and what to return. */
export interface DocumentChange<T, R> {
  next?: T;
  result: R;
}

/**
 * The booking domains' documents (orders, payments), kept in the saga store (`SAGA_STORE`) as versioned
 * JSON documents. Every write is a compare-and-set, retried on a lost race, so concurrent handlers never
 * overwrite each other. That suits documents that few handlers write at once, such as one order; a value
 * that many bookings change at once (a product's stock) would serialise them behind lost races, so the
 * inventory uses the store's atomic counters (`SagaStore.adjustCounters`) instead.
 */
@Injectable()
export class BookingDocumentStore {
  constructor(@Inject(SAGA_STORE) private readonly store: SagaStore) {}

  async get<T extends Json>(key: string): Promise<T | undefined> {
    return (await this.store.getDocument(key))?.value as T | undefined;
  }

  /** Reads the document, decides, and writes the decision if nobody wrote in between; else again. */
  async update<T extends Json, R>(
    key: string,
    change: (current: T | undefined) => DocumentChange<T, R>,
  ): Promise<R> {
    for (let race = 0; race < MAX_WRITE_RACES; race++) {
      const current = await this.store.getDocument(key);
      const { next, result } = change(current?.value as T | undefined);
      if (next === undefined) return result;
      if (await this.store.putDocument(key, next, current?.version ?? 0)) return result;
    }
    throw new Error(
      `Gave up writing document '${key}' after ${MAX_WRITE_RACES} lost races; the task will be retried.`,
    );
  }
}
