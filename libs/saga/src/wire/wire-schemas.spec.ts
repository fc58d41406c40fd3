import fc from 'fast-check';
import { SAGA_LIFECYCLE } from '../engine/saga-command';
import { SAGA_OPERATOR_ACTIONS } from '../engine/saga-operator-action';
import { SAGA_STATUSES } from '../engine/saga-state';
import {
  InvalidMessageError,
  type CallbackMessage,
  type LifecycleEvent,
  type OperatorMessage,
  type ResultMessage,
  type StartMessage,
  type TaskMessage,
  type WorkerReply,
  WIRE_VERSION,
} from '../transport/saga-messages';
import {
  assertWireMessage,
  validateWireMessage,
  WIRE_MESSAGE_KINDS,
  WIRE_PARSERS,
  WIRE_REFERENCED_SCHEMAS,
  WIRE_SCHEMAS,
  type WireMessageKind,
} from './wire-schemas';

/*
 * The schemas against the parsers: every message the runtime and the transport contract suite send is valid
 * for both; what the parser refuses the schema refuses too; where the schema is stricter, it is on purpose
 * and listed here; and nothing the schema accepts is refused by the parser (a property over random fields).
 */

const envelope = { v: WIRE_VERSION, sagaId: 'saga-1', flow: 'trip', traceId: 'trace-1' } as const;

const start: StartMessage = {
  ...envelope,
  input: { customer: 'ada', nights: 3, tags: ['sea', 'quiet'], extras: { late: true, note: null } },
  replyTo: 'gw-1',
};

const run: TaskMessage = {
  ...envelope,
  kind: 'run',
  step: 'lodging',
  task: 'book-hotel',
  attempt: 2,
  input: { hotel: 'h-7', nights: 3 },
  timeoutMs: 3000,
};

const compensate: TaskMessage = {
  ...run,
  kind: 'compensate',
  output: { bookingId: 'b-9' },
  outcome: 'unknown',
};

const replyOk: WorkerReply = {
  ...envelope,
  kind: 'run',
  task: 'book-hotel',
  attempt: 1,
  ok: true,
  output: { bookingId: 'b-9', price: 120.5 },
};

const replyRefused: WorkerReply = {
  ...envelope,
  kind: 'compensate',
  task: 'book-hotel',
  attempt: 3,
  ok: false,
  error: { message: 'no rooms left', name: 'TaskRejectedError' },
  retryable: false,
};

const operator: OperatorMessage = {
  ...envelope,
  kind: 'operator',
  actionId: 'act-1',
  replyTo: 'gw-2',
  action: {
    type: 'skip',
    task: 'book-hotel',
    output: { bookingId: 'by-hand' },
    by: 'ada',
    reason: 'booked by phone',
  },
};

const finished: ResultMessage = {
  ...envelope,
  kind: 'finished',
  status: 'compensated',
  failure: { step: 'lodging', task: 'book-hotel', error: { message: 'no rooms left' } },
  compensated: ['create-order'],
};

const callback: CallbackMessage = { ...envelope, url: 'http://caller.test/done', result: finished };

const event: LifecycleEvent = {
  ...envelope,
  type: 'rollback',
  step: 'lodging',
  task: 'book-hotel',
  at: 1_700_000,
};

/** Every shape of message the runtime sends (see saga.orchestrator.ts, task.worker.ts, saga-admin.ts, saga.client.ts). */
const VALID: [WireMessageKind, string, unknown][] = [
  ['start', 'with replyTo', start],
  ['start', 'acknowledged', { ...start, ack: true }],
  ['start', 'throttled', { ...start, throttled: true }],
  ['start', 'async, with a callback URL', { ...start, callbackUrl: 'https://caller.test/cb' }],
  ['start', 'fire and forget, null input', { ...envelope, input: null }],
  ['task', 'run', run],
  ['task', 'run without a timeout', { ...run, timeoutMs: undefined }],
  ['task', 'compensate, outcome unknown, with output', compensate],
  [
    'task',
    'compensate, outcome succeeded, no output',
    { ...compensate, output: undefined, outcome: 'succeeded' },
  ],
  ['reply', 'run ok with output', replyOk],
  ['reply', 'run ok without output (a void task)', { ...replyOk, output: undefined }],
  ['reply', 'compensate ok', { ...envelope, kind: 'compensate', task: 'book-hotel', attempt: 1, ok: true }],
  ['reply', 'compensate refused', replyRefused],
  [
    'reply',
    'run failed, retryable',
    {
      ...replyOk,
      ok: false,
      output: undefined,
      error: { message: 'db down', name: 'Error' },
      retryable: true,
    },
  ],
  [
    'reply',
    'run timed out: outcome unknown',
    {
      ...replyOk,
      ok: false,
      output: undefined,
      error: { name: 'TaskTimeoutError', message: 'no result within 3000 ms' },
      retryable: true,
      outcome: 'unknown',
    },
  ],
  [
    'reply',
    'run rejected for good',
    {
      ...replyOk,
      ok: false,
      output: undefined,
      error: { name: 'TaskRejectedError', message: 'out of stock', rejected: true },
      retryable: false,
    },
  ],
  [
    'reply',
    'run rejected with details',
    {
      ...replyOk,
      ok: false,
      output: undefined,
      error: {
        name: 'TaskRejectedError',
        message: 'out of stock',
        rejected: true,
        details: { sku: 'P1', left: 0 },
      },
      retryable: false,
    },
  ],
  ...SAGA_OPERATOR_ACTIONS.map((type): [WireMessageKind, string, unknown] => [
    'reply',
    `operator ${type}`,
    {
      ...operator,
      action: {
        type,
        by: 'ada',
        reason: 'because',
        ...(type === 'retry' || type === 'skip' ? { task: 'book-hotel' } : {}),
      },
    },
  ]),
  ['reply', 'operator skip with output', operator],
  ['result', 'finished compensated', finished],
  [
    'result',
    'finished completed',
    { ...envelope, kind: 'finished', status: 'completed', result: { 'book-hotel': { bookingId: 'b-9' } } },
  ],
  ['result', 'finished stalled', { ...finished, status: 'stalled', compensated: [] }],
  ['result', 'accepted', { ...envelope, kind: 'accepted', status: 'running' }],
  ['result', 'acted', { ...envelope, kind: 'acted', status: 'running', actionId: 'act-1' }],
  [
    'result',
    'acted, refused',
    {
      ...envelope,
      kind: 'acted',
      status: 'completed',
      actionId: 'act-1',
      refused: { code: 'not-applicable', message: 'the saga is completed' },
    },
  ],
  ['callback', 'compensated result', callback],
  [
    'callback',
    'completed result',
    { ...callback, result: { ...envelope, kind: 'finished', status: 'completed', result: {} } },
  ],
  ...SAGA_LIFECYCLE.map((type): [WireMessageKind, string, unknown] => ['event', type, { ...event, type }]),
  ['event', 'started, no step', { ...envelope, type: 'started', instance: 'orch-1', at: 1 }],
  // The transport contract suite sends one: a producer in another language may add fields.
  ['event', 'with a field DTA does not know', { ...event, payload: { deep: [1, 2, 3] } }],
  ['task', 'with a field DTA does not know', { ...run, priority: 'high' }],
  ['reply', 'unicode everywhere', { ...replyOk, sagaId: 'säga-✓', output: { note: '日本語 🚀' } }],
];

describe('wire schemas', () => {
  it.each(VALID)('%s (%s): valid for the schema and the parser', (kind, _what, message) => {
    // What goes on the wire is JSON: drop undefined fields as JSON.stringify does.
    const wire: unknown = JSON.parse(JSON.stringify(message));
    expect(validateWireMessage(kind, wire)).toEqual([]);
    expect(() => WIRE_PARSERS[kind](wire)).not.toThrow();
  });

  it('every example in the schema files is valid for the schema and the parser of its kind', () => {
    const checked: string[] = [];
    for (const kind of WIRE_MESSAGE_KINDS) {
      const examples = (WIRE_SCHEMAS[kind] as { examples?: unknown[] }).examples ?? [];
      for (const example of examples) {
        expect(validateWireMessage(kind, example)).toEqual([]);
        expect(() => WIRE_PARSERS[kind](example)).not.toThrow();
        checked.push(kind);
      }
    }
    for (const schema of [WIRE_REFERENCED_SCHEMAS.workerReply, WIRE_REFERENCED_SCHEMAS.operatorMessage]) {
      for (const example of schema.examples) {
        expect(validateWireMessage('reply', example)).toEqual([]);
        expect(() => WIRE_PARSERS.reply(example)).not.toThrow();
        checked.push('reply');
      }
    }
    expect(new Set(checked)).toEqual(new Set(WIRE_MESSAGE_KINDS));
  });

  /** Refused by both: the parser throws InvalidMessageError (the message is dead-lettered) and the schema says why. */
  const INVALID: [WireMessageKind, string, unknown, RegExp][] = [
    ['start', 'another wire version', { ...start, v: 2 }, /\/v must be equal to constant/],
    ['start', 'no version', { ...start, v: undefined }, /required property 'v'/],
    ['start', 'no input', { ...start, input: undefined }, /required property 'input'/],
    ['start', 'empty sagaId', { ...start, sagaId: '' }, /\/sagaId must NOT have fewer than 1 characters/],
    ['start', 'traceId not a string', { ...start, traceId: 42 }, /\/traceId must be string/],
    ['start', 'empty replyTo', { ...start, replyTo: '' }, /\/replyTo must NOT have fewer/],
    ['start', 'not an object', ['v', 1], /must be object/],
    ['start', 'null', null, /must be object/],
    ['task', 'unknown kind', { ...run, kind: 'undo' }, /\/kind must be equal to one of the allowed values/],
    ['task', 'attempt 0', { ...run, attempt: 0 }, /\/attempt must be >= 1/],
    ['task', 'fractional attempt', { ...run, attempt: 1.5 }, /\/attempt must be integer/],
    ['task', 'attempt as a string', { ...run, attempt: '2' }, /\/attempt must be integer/],
    ['task', 'no step', { ...run, step: undefined }, /required property 'step'/],
    ['task', 'empty task name', { ...run, task: '' }, /\/task must NOT have fewer/],
    ['reply', 'ok not a boolean', { ...replyOk, ok: 'yes' }, /\/ok must be boolean/],
    [
      'reply',
      'failure without retryable',
      { ...replyRefused, retryable: undefined },
      /required property 'retryable'/,
    ],
    ['reply', 'failure without error', { ...replyRefused, error: undefined }, /required property 'error'/],
    [
      'reply',
      'failure with an empty message',
      { ...replyRefused, error: { message: '' } },
      /\/error\/message must NOT/,
    ],
    [
      'reply',
      'outcome other than unknown',
      { ...replyRefused, outcome: 'maybe' },
      /\/outcome must be equal to constant/,
    ],
    ['reply', 'no attempt', { ...replyOk, attempt: undefined }, /required property 'attempt'/],
    [
      'reply',
      'details that are not scalars',
      { ...replyRefused, error: { message: 'no', details: { sku: { id: 1 } } } },
      /\/error\/details\/sku must match a schema in anyOf/,
    ],
    ['reply', 'kind of a result', { ...replyOk, kind: 'finished' }, /\/kind must be equal to one of/],
    [
      'reply',
      'operator: unknown action',
      { ...operator, action: { ...operator.action, type: 'delete' } },
      /\/action\/type must be equal to one of/,
    ],
    [
      'reply',
      'operator: skip without a task',
      { ...operator, action: { type: 'skip', by: 'ada', reason: 'r' } },
      /\/action must have required property 'task'/,
    ],
    [
      'reply',
      'operator: no reason',
      { ...operator, action: { type: 'resume', by: 'ada' } },
      /required property 'reason'/,
    ],
    ['reply', 'operator: no replyTo', { ...operator, replyTo: undefined }, /required property 'replyTo'/],
    ['result', 'unknown kind', { ...finished, kind: 'done' }, /\/kind must be equal to one of/],
    ['result', 'acted without actionId', { ...finished, kind: 'acted' }, /required property 'actionId'/],
    ['result', 'no status', { ...finished, status: undefined }, /required property 'status'/],
    ['callback', 'no url', { ...callback, url: undefined }, /required property 'url'/],
    [
      'callback',
      'result without kind',
      { ...callback, result: { ...finished, kind: undefined } },
      /\/result must have required property 'kind'/,
    ],
    [
      'callback',
      'result of another version',
      { ...callback, result: { ...finished, v: 0 } },
      /\/result\/v must be equal to constant/,
    ],
    ['event', 'unknown type', { ...event, type: 'exploded' }, /\/type must be equal to one of/],
    ['event', 'no flow', { ...event, flow: undefined }, /required property 'flow'/],
  ];

  it.each(INVALID)('%s, %s: refused by the schema and by the parser', (kind, _what, message, why) => {
    const wire: unknown = JSON.parse(JSON.stringify(message));
    const errors = validateWireMessage(kind, wire);
    expect(errors.join('\n')).toMatch(why);
    expect(() => WIRE_PARSERS[kind](wire)).toThrow(InvalidMessageError);
    expect(() => assertWireMessage(kind, wire)).toThrow(`not a valid ${kind} message`);
  });

  /**
   * The schema is the contract for producers, and follows the TypeScript types; the parsers check only what
   * the runtime needs to route and decide, and let these through.
   */
  const STRICTER: [WireMessageKind, string, unknown, RegExp][] = [
    ['start', 'ack not a boolean', { ...start, ack: 'yes' }, /\/ack must be boolean/],
    ['task', 'no input', { ...run, input: undefined }, /required property 'input'/],
    ['task', 'negative timeout', { ...run, timeoutMs: -1 }, /\/timeoutMs must be > 0/],
    ['task', 'unknown outcome', { ...compensate, outcome: 'maybe' }, /\/outcome must be equal to one of/],
    ['result', 'unknown status', { ...finished, status: 'weird' }, /\/status must be equal to one of/],
    [
      'result',
      'compensated not a list',
      { ...finished, compensated: 'create-order' },
      /\/compensated must be array/,
    ],
    ['event', 'no time', { ...event, at: undefined }, /required property 'at'/],
  ];

  it.each(STRICTER)(
    '%s, %s: the parser lets it through, the schema refuses it',
    (kind, _what, message, why) => {
      const wire: unknown = JSON.parse(JSON.stringify(message));
      expect(() => WIRE_PARSERS[kind](wire)).not.toThrow();
      expect(validateWireMessage(kind, wire).join('\n')).toMatch(why);
    },
  );

  it('the schemas name the enums of the TypeScript sources', () => {
    const common = WIRE_REFERENCED_SCHEMAS.common.$defs;
    expect(common.envelope.properties.v.const).toBe(WIRE_VERSION);
    expect(common.sagaStatus.enum).toEqual(SAGA_STATUSES);
    expect(WIRE_SCHEMAS.event.properties.type.enum).toEqual(SAGA_LIFECYCLE);
    expect(WIRE_REFERENCED_SCHEMAS.operatorMessage.properties.action.properties.type.enum).toEqual(
      SAGA_OPERATOR_ACTIONS,
    );
  });

  it('every schema is draft 2020-12 with an $id', () => {
    for (const schema of [...Object.values(WIRE_SCHEMAS), ...Object.values(WIRE_REFERENCED_SCHEMAS)]) {
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toMatch(/^https:\/\/dta\.example\/wire\/v1\/[a-z-]+\.schema\.json$/);
    }
  });

  /** Random fields over a valid message of each kind: nothing the schema accepts does the parser refuse. */
  const BASES: Record<WireMessageKind, Record<string, unknown>> = {
    start: { ...start },
    task: { ...compensate },
    reply: { ...replyRefused },
    result: { ...finished, actionId: 'act-1' },
    callback: { ...callback },
    event: { ...event },
  };

  it.each(WIRE_MESSAGE_KINDS)('%s: whatever the schema accepts, the parser accepts', (kind) => {
    const base = BASES[kind];
    const keys = [...Object.keys(base), 'kind', 'ok', 'attempt', 'status', 'action', 'extra'];
    const field = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(
        0,
        1,
        2,
        -1,
        1.5,
        '',
        'x',
        true,
        false,
        null,
        'run',
        'compensate',
        'operator',
        'acted',
        'unknown',
      ),
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), field, { maxKeys: 3 }), (changes) => {
        const wire: unknown = JSON.parse(JSON.stringify({ ...base, ...changes }));
        if (validateWireMessage(kind, wire).length > 0) return;
        accepted++;
        expect(() => WIRE_PARSERS[kind](wire)).not.toThrow();
      }),
      { numRuns: 400 },
    );
    // The property says nothing if the schema refused every case.
    expect(accepted).toBeGreaterThan(20);
  });
});
