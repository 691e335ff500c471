/** The transfer endpoints live in @openfarm/protocol, shared with the server. */
export {
  TRANSFER_MAX_BATCH as MAX_BATCH,
  TRANSFER_PATHS,
  type TransferStorage as StorageName,
  transferBlobPath,
  transferFilePath,
  transferUploadChunkPath,
} from '@openfarm/protocol';
