import { BadRequestException, Controller, HttpStatus, Post, Query, Res } from '@nestjs/common';
import {
  CALLBACK_URL_MESSAGE,
  IdempotencyKey,
  SagaClient,
  type SagaCompleted,
  sagaStatusPath,
  TraceId,
} from '@dta/saga';
import type { Response } from 'express';
import { Booking } from '../booking.contract';
import type { CreateBookingDto } from '../dto/create-booking.dto';
import { JsonBody } from './json-body.decorator';

/** How the caller of `POST /bookings` waits. */
export const BOOKING_MODES = ['sync', 'async', 'throttled'] as const;
export type BookingMode = (typeof BOOKING_MODES)[number];

/** `201` body of `POST /bookings` (sync and throttled modes). */
export interface BookingCompleted {
  sagaId: string;
  traceId: string;
  status: 'completed';
  /** Outputs of the booking's tasks, by task wire name. */
  result: SagaCompleted<typeof Booking>['result'];
}

/** `202` body of `POST /bookings?mode=async`. */
export interface BookingAccepted {
  sagaId: string;
  traceId: string;
  statusUrl: string;
}

function parseMode(mode: string | undefined): BookingMode {
  if (mode === undefined || mode === '') return 'sync';
  if ((BOOKING_MODES as readonly string[]).includes(mode)) return mode as BookingMode;
  throw new BadRequestException([`mode must be one of ${BOOKING_MODES.join(', ')}`]);
}

/**
 * Takes `callbackUrl` out of the body (it is not part of the booking); `SagaClient.start` checks it against the
 * callback policy, as it does for every front door.
 */
function splitCallback(body: unknown, mode: BookingMode): { input: unknown; callbackUrl?: string } {
  if (typeof body !== 'object' || body === null || !('callbackUrl' in body)) return { input: body };
  const { callbackUrl, ...input } = body;
  if (mode !== 'async') throw new BadRequestException(['callbackUrl is only accepted with mode=async']);
  if (typeof callbackUrl !== 'string') throw new BadRequestException([CALLBACK_URL_MESSAGE]);
  return { input, callbackUrl };
}

/**
 * `POST /bookings?mode=sync|async|throttled`: runs a booking saga. `sync` (default) and `throttled` answer
 * with its outcome; `async` answers `202` at once, and POSTs the result to `callbackUrl` if the body has one.
 * A repeated `x-request-id` returns the same saga. Errors (400 invalid body, 409 rolled back, 202 still
 * running, 500 stalled) are mapped by `SagaExceptionFilter`.
 */
@Controller('bookings')
export class BookingsController {
  constructor(private readonly sagas: SagaClient) {}

  @Post()
  async create(
    @JsonBody() body: unknown,
    @Query('mode') modeParam: string | undefined,
    @TraceId() traceId: string,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<BookingCompleted | BookingAccepted> {
    const mode = parseMode(modeParam);
    const { input, callbackUrl } = splitCallback(body, mode);
    // The body as sent: the client validates it against the contract's DTO (400, nothing started) before it
    // publishes anything.
    if (mode === 'async') {
      const handle = await this.sagas.start(Booking, input as CreateBookingDto, {
        traceId,
        idempotencyKey,
        callbackUrl,
      });
      const statusUrl = sagaStatusPath(handle.sagaId);
      response.status(HttpStatus.ACCEPTED).setHeader('Location', statusUrl);
      return { sagaId: handle.sagaId, traceId: handle.traceId, statusUrl };
    }
    const done = await this.sagas.run(Booking, input as CreateBookingDto, { traceId, idempotencyKey, mode });
    response.status(HttpStatus.CREATED);
    return { sagaId: done.sagaId, traceId: done.traceId, status: 'completed', result: done.result };
  }
}
