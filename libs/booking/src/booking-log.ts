/** Appends the saga and trace ids to a log line, as the library does, so that one grep finds a booking. */
export function bookingLog(text: string, ctx: { sagaId: string; traceId: string }): string {
  return `${text} sagaId=${ctx.sagaId} traceId=${ctx.traceId}`;
}
