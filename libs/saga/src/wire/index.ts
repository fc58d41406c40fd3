/**
 * `@dta/saga/wire`: the JSON Schemas of the wire format and validators over them, for tests of producers and
 * consumers in TypeScript (it needs the optional peer dependency `ajv`). The schema files themselves are in
 * `@dta/saga/wire/*.json`, for other languages.
 */
export {
  assertWireMessage,
  validateWireMessage,
  WIRE_MESSAGE_KINDS,
  WIRE_PARSERS,
  WIRE_REFERENCED_SCHEMAS,
  WIRE_SCHEMAS,
  type WireMessageKind,
} from './wire-schemas';
