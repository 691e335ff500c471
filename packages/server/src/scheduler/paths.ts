/** The render node API's routes live in @openfarm/protocol, shared with the worker. */
export { NODE_PATHS as WORKER_PATHS } from '@openfarm/protocol';
