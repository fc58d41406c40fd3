import { SagaInputError } from '../errors/saga-outcome.error';

/** The field message of a callback URL that is not one. */
export const CALLBACK_URL_MESSAGE = 'callbackUrl must be an http or https URL';

/** Refuses (`SagaInputError`, 400 / INVALID_ARGUMENT) a callback URL that is not an http(s) URL. */
export function checkCallbackUrl(flow: string, url: string): void {
  if (/^https?:\/\/[^\s]+$/.test(url) && URL.canParse(url)) return;
  throw new SagaInputError(`invalid callback URL for '${flow}'`, flow, [
    { field: 'callbackUrl', messages: [CALLBACK_URL_MESSAGE] },
  ]);
}
