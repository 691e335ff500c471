/** The transfer endpoints live in @openfarm/protocol, shared with the SDK. */
export { TRANSFER_MAX_BATCH as MAX_BATCH, TRANSFER_PATHS } from '@openfarm/protocol';
