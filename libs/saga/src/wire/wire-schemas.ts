import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import callbackSchema from '../../wire/callback.schema.json';
import commonSchema from '../../wire/common.schema.json';
import lifecycleEventSchema from '../../wire/lifecycle-event.schema.json';
import operatorMessageSchema from '../../wire/operator-message.schema.json';
import replySchema from '../../wire/reply.schema.json';
import resultSchema from '../../wire/result.schema.json';
import startSchema from '../../wire/start.schema.json';
import taskSchema from '../../wire/task.schema.json';
import workerReplySchema from '../../wire/worker-reply.schema.json';
import {
  parseCallbackMessage,
  parseLifecycleEvent,
  parseReplyMessage,
  parseResultMessage,
  parseStartMessage,
  parseTaskMessage,
} from '../transport/saga-messages';
import type { MessageParser } from '../transport/message-delivery';

/**
 * The JSON Schemas (draft 2020-12) of the wire format, `libs/saga/wire/*.schema.json`, and a validator for
 * each kind of message. For tests and tools only: nothing in the runtime imports this module (the runtime
 * reads messages with the parsers of `saga-messages.ts`), so `ajv` is a devDependency. Import it from a
 * runtime module and `ajv` must move to `dependencies`.
 *
 * The schemas are the contract a producer in any language must meet. They are at least as strict as the
 * parsers: everything they accept the parsers accept, and on a few fields the parsers do not read closely
 * they are stricter (the spec lists where). Unknown fields are allowed, as the parsers
 * allow them.
 */

/** One kind of message per channel: what {@link validateWireMessage} checks a message as. */
export type WireMessageKind = 'start' | 'task' | 'reply' | 'result' | 'callback' | 'event';

export const WIRE_MESSAGE_KINDS: readonly WireMessageKind[] = [
  'start',
  'task',
  'reply',
  'result',
  'callback',
  'event',
];

/** The schema of each kind, as loaded from `libs/saga/wire/`. */
export const WIRE_SCHEMAS = {
  start: startSchema,
  task: taskSchema,
  reply: replySchema,
  result: resultSchema,
  callback: callbackSchema,
  event: lifecycleEventSchema,
} as const satisfies Record<WireMessageKind, object>;

/** Schemas only referred to: the shared definitions, and the two halves of `reply`. */
export const WIRE_REFERENCED_SCHEMAS = {
  common: commonSchema,
  workerReply: workerReplySchema,
  operatorMessage: operatorMessageSchema,
} as const;

/** The parser the runtime reads each kind with, for comparing it with the schema. */
export const WIRE_PARSERS: Record<WireMessageKind, MessageParser<unknown>> = {
  start: parseStartMessage,
  task: parseTaskMessage,
  reply: parseReplyMessage,
  result: parseResultMessage,
  callback: parseCallbackMessage,
  event: parseLifecycleEvent,
};

let validators: Map<WireMessageKind, ValidateFunction> | undefined;

function compiled(): Map<WireMessageKind, ValidateFunction> {
  if (!validators) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    for (const schema of Object.values(WIRE_REFERENCED_SCHEMAS)) ajv.addSchema(schema);
    for (const kind of WIRE_MESSAGE_KINDS) ajv.addSchema(WIRE_SCHEMAS[kind]);
    validators = new Map(
      WIRE_MESSAGE_KINDS.map((kind) => {
        const validate = ajv.getSchema(WIRE_SCHEMAS[kind].$id);
        if (!validate) throw new Error(`wire schema ${WIRE_SCHEMAS[kind].$id} did not compile`);
        return [kind, validate];
      }),
    );
  }
  return validators;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(message)' : error.instancePath;
  return `${where} ${error.message ?? error.keyword}`;
}

/**
 * Checks `value` (a parsed JSON message) against the schema of `kind`. Returns the errors, one line each
 * (`/attempt must be >= 1`), or an empty array when it is valid.
 */
export function validateWireMessage(kind: WireMessageKind, value: unknown): string[] {
  const validate = compiled().get(kind);
  if (!validate) throw new Error(`no wire schema for kind '${String(kind)}'`);
  if (validate(value)) return [];
  // `if`/`then` failures repeat the error of the branch they chose: keep the branch's own errors.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  return [...new Set(errors.map(describe))];
}

/** Throws, with every error, unless `value` is a valid message of `kind`: for assertions in test suites. */
export function assertWireMessage(kind: WireMessageKind, value: unknown): void {
  const errors = validateWireMessage(kind, value);
  if (errors.length > 0) {
    throw new Error(`not a valid ${kind} message: ${errors.join('; ')}\n${JSON.stringify(value)}`);
  }
}
