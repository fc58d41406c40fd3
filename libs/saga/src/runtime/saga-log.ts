/** Formats a log line that carries the saga and trace ids, so that one grep finds a saga across services. */
export function sagaLog(
  text: string,
  ids: { sagaId: string; traceId: string } | { id: string; traceId: string },
): string {
  return `${text} sagaId=${'sagaId' in ids ? ids.sagaId : ids.id} traceId=${ids.traceId}`;
}
