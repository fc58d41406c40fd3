/**
 * AMQP topic matching, for adapters whose broker cannot match event patterns itself (memory; NATS, whose
 * subjects have no "zero or more words"): words split on `.`, `*` matches one word, `#` zero or more.
 */
export function topicMatches(pattern: string, key: string): boolean {
  const match = (p: string[], k: string[]): boolean => {
    if (p.length === 0) return k.length === 0;
    const [head, ...rest] = p;
    if (head === '#') return match(rest, k) || (k.length > 0 && match(p, k.slice(1)));
    if (k.length === 0) return false;
    return (head === '*' || head === k[0]) && match(rest, k.slice(1));
  };
  return match(pattern.split('.'), key.split('.'));
}
