import { Saga, Step } from '../decorators';
import type { SagaClient } from '../runtime/saga.client';
import { defineSaga, task, toWireName, type WireName } from './saga-contract';
import type { SagaState } from './saga-view';

/**
 * What the compiler checks of a flow. Each `@ts-expect-error` below is a mistake that must not compile: if it
 * ever compiled, the type-check (`npm run typecheck`, part of CI) would fail on the unused directive.
 */
const Trip = defineSaga('trip', {
  tasks: {
    bookFlight: task<{ to: string }, { flight: string }>(),
    bookHotel: task<{ nights: number }, { room: number }>(),
    sendICalInvite2: task<{ flight: string }, null>({ compensable: false }),
  },
});
type TripState = SagaState<typeof Trip>;

@Saga(Trip)
export class TripSaga {
  @Step(1, ['bookFlight', 'bookHotel'])
  travel() {
    return { bookFlight: { to: 'Lisbon' }, bookHotel: { nights: 2 } };
  }

  @Step(2, ['sendICalInvite2'])
  invite(s: TripState) {
    return { sendICalInvite2: { flight: s.out('bookFlight').flight } };
  }
}

@Saga(Trip)
export class MistakenSaga {
  // @ts-expect-error -- a task the contract lacks
  @Step(1, ['bookFlihgt', 'bookHotel'])
  travel(s: TripState) {
    return { bookFlight: { to: String(s.input) }, bookHotel: { nights: 2 } };
  }

  // @ts-expect-error -- a task of the step left without its input (a misspelled key)
  @Step(2, ['bookFlight', 'bookHotel'])
  both(s: TripState) {
    return { bookFlight: { to: String(s.input) }, bookHotl: { nights: 2 } };
  }

  // @ts-expect-error -- an input of the wrong type
  @Step(3, ['sendICalInvite2'])
  invite(s: TripState) {
    return { sendICalInvite2: { flight: s.out('bookHotel').room } };
  }
}

describe('contract types', () => {
  it('names each task on the wire as the compiler does', () => {
    const names: { [K in keyof typeof Trip.tasks]: WireName<K> } = {
      bookFlight: Trip.task.bookFlight.name,
      bookHotel: Trip.task.bookHotel.name,
      sendICalInvite2: Trip.task.sendICalInvite2.name,
    };
    expect(names).toEqual({
      bookFlight: 'book-flight',
      bookHotel: 'book-hotel',
      sendICalInvite2: 'send-ical-invite2',
    });
    for (const [key, name] of Object.entries(names)) expect(toWireName(key)).toBe(name);
    const snake: WireName<'late_checkout'> = 'late-checkout';
    expect(toWireName('late_checkout')).toBe(snake);
  });
});

/** What `SagaClient.run` resolves with, typed by the contract: checked by the compiler, never called. */
export async function typedOutputs(client: SagaClient): Promise<{ flight: string; room: number }> {
  const done = await client.run(Trip, {});
  // @ts-expect-error -- results are keyed by wire name
  void done.result.bookFlight;
  return { flight: done.result['book-flight'].flight, room: done.result['book-hotel'].room };
}

const Quote = defineSaga('quote', {
  tasks: {
    priceFlight: task<{ to: string }, { eur: number }>(),
    priceHotel: task<{ nights: number }, { eur: number }>(),
  },
  result: (s) => ({ to: s.input as string, total: s.out('priceFlight').eur + s.out('priceHotel').eur }),
});

@Saga(Quote)
export class QuoteSaga {
  @Step(1, ['priceFlight', 'priceHotel'])
  price(s: SagaState<typeof Quote>) {
    return { priceFlight: { to: String(s.input) }, priceHotel: { nights: 2 } };
  }
}

export const MisreadQuote = defineSaga('misread', {
  tasks: { priceFlight: task<{ to: string }, { eur: number }>() },
  // @ts-expect-error -- `result` reads outputs by property name, typed by the contract
  result: (s) => s.out('price-flight'),
});

/** A contract's `result` types what `SagaClient.run` resolves with: checked by the compiler, never called. */
export async function composedResult(client: SagaClient): Promise<number> {
  const done = await client.run(Quote, {});
  // @ts-expect-error -- the answer is what `result` composed, not the outputs by task
  void done.result['price-flight'];
  return done.result.total;
}
