import { initRuntime } from '../../src/runtime/select.js';

/** Tests run on the backend attend picks here (native when built), or ATTEND_BACKEND. */
export const ready = initRuntime();
