import { ListSagasQueryDto, SagaActionBodyDto, SagaSkipBodyDto, SagaTaskActionBodyDto } from './dto';
import { SagaAdminRequestError } from './saga-admin-request.error';
import { operatorOf, parseAdminInput, toAction, toListQuery } from './saga-admin.input';

const refused = async (run: () => Promise<unknown>): Promise<string[]> => {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SagaAdminRequestError);
  return (error as SagaAdminRequestError).messages;
};

describe('list query', () => {
  const parse = async (query: object) => toListQuery(await parseAdminInput(ListSagasQueryDto, query));

  it('turns times into epoch ms, stalled=true into status, limit into a number', async () => {
    expect(
      await parse({
        flow: 'booking',
        stalled: 'true',
        from: '2026-01-01T00:00:00Z',
        to: '1767225600001',
        limit: '10',
      }),
    ).toEqual({ flow: 'booking', status: 'stalled', from: 1767225600000, to: 1767225600001, limit: 10 });
    expect(await parse({})).toEqual({});
  });

  it('refuses every bad field with its own message, and unknown or repeated parameters', async () => {
    const messages = await refused(() =>
      parse({ status: 'lost', limit: '501', from: 'soon', stalled: '1', flow: ['a', 'b'], sort: 'x' }),
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        'status must be one of running, compensating, stalled, completed, compensated',
        'limit must be a whole number from 1 to 500',
        'from must be epoch milliseconds or an ISO-8601 time (2026-01-01T00:00:00Z)',
        'stalled must be true or false',
        'flow must be a string',
        'property sort should not exist',
      ]),
    );
    expect(messages).toHaveLength(6);
  });

  it('refuses stalled=true with another status', async () => {
    expect(await refused(() => parse({ stalled: 'true', status: 'running' }))).toEqual([
      'stalled=true contradicts status=running',
    ]);
  });
});

describe('action bodies', () => {
  it('requires a bounded, non-blank reason', async () => {
    expect(await refused(() => parseAdminInput(SagaActionBodyDto, {}))).toEqual(['reason must be a string']);
    expect(await refused(() => parseAdminInput(SagaActionBodyDto, { reason: '  ' }))).toEqual([
      'reason must not be blank',
    ]);
    expect(await refused(() => parseAdminInput(SagaActionBodyDto, { reason: 'x'.repeat(501) }))).toEqual([
      'reason must be shorter than or equal to 500 characters',
    ]);
    expect(await refused(() => parseAdminInput(SagaActionBodyDto, 'reason'))).toHaveLength(1);
  });

  it('requires the task of retry and skip; skip takes any JSON output', async () => {
    expect(await refused(() => parseAdminInput(SagaTaskActionBodyDto, { reason: 'r' }))).toEqual([
      'task must be a string',
    ]);
    const skip = await parseAdminInput(SagaSkipBodyDto, {
      task: 'reserve-stock',
      reason: 'r',
      output: { a: 1 },
    });
    expect(toAction('skip', skip, 'alice')).toEqual({
      type: 'skip',
      task: 'reserve-stock',
      output: { a: 1 },
      by: 'alice',
      reason: 'r',
    });
  });

  it('names the operator from x-operator, admin when absent, and refuses a malformed one', () => {
    expect(operatorOf(undefined)).toBe('admin');
    expect(operatorOf('alice@ops')).toBe('alice@ops');
    expect(() => operatorOf('x'.repeat(65))).toThrow(SagaAdminRequestError);
    expect(() => operatorOf('a b')).toThrow(SagaAdminRequestError);
  });
});
