import { type CallbackUrlPolicy, callbackUrlRefusal } from '../callbacks/callback-url.policy';
import { SagaInputError } from '../errors/saga-outcome.error';
import { SAGA_MESSAGES } from '../saga.messages';

/** The field message of a callback URL that is not an http(s) URL at all. */
export const CALLBACK_URL_MESSAGE = SAGA_MESSAGES.CALLBACK_REFUSED('must be an http or https URL');

/**
 * Refuses (`SagaInputError` on field `callbackUrl`: 400 / INVALID_ARGUMENT, nothing started) a callback URL
 * outside the policy: not http(s), a host the configuration does not allow, or a non-public address.
 */
export function checkCallbackUrl(flow: string, url: string, policy: CallbackUrlPolicy): void {
  const refusal = callbackUrlRefusal(url, policy);
  if (refusal === undefined) return;
  const message = SAGA_MESSAGES.CALLBACK_REFUSED(refusal);
  throw new SagaInputError(`invalid callback URL for '${flow}'`, flow, [
    { field: 'callbackUrl', messages: [message] },
  ]);
}
