/** Injection token of the participant-side barrier. */
export const SAGA_BARRIER = Symbol('dta:TaskBarrier');
