/** Transfer-side answers: transfer config, Raysync server info and key, output storage listing (§2.7). */
import { z } from 'zod';
import { bid, optFlag, optInt, optNum, optStr, optStrOrNum } from './primitives.js';

export const TransferConfigSchema = z.looseObject({
  inputBid: bid(),
  outputBid: bid(),
  configBid: bid(),
  parentInputBid: bid().nullable().optional(),
  subUserOutputBids: z
    .array(z.looseObject({ userId: z.union([z.int(), z.string()]), outputBid: bid() }))
    .nullable()
    .optional(),
  resqEngines: z.array(
    z.looseObject({
      /** "Aspera", "RaySync", … (openfarm answers its own engine names) */
      engineName: z.string(),
      isDefault: optFlag(),
      automaticCheck: optFlag(),
      checkServer: optStr(),
      checkPort: optStrOrNum(),
      checkEnable: optFlag(),
      checkExcludType: optStr(),
      resqEngineAccounts: z
        .array(z.looseObject({ bid: bid(), name: optStr(), password: optStr() }))
        .nullable()
        .optional(),
      respTaskEngineLines: z
        .array(
          z.looseObject({
            /** ISP or line name */
            name: z.string(),
            server: z.string(),
            port: z.union([z.int(), z.string()]),
            isDefault: optFlag(),
            lineId: optInt(),
            /** 1 dedicated, 0 general */
            type: optInt(),
          }),
        )
        .nullable()
        .optional(),
    }),
  ),
});

export const TransferServerInfoSchema = z.looseObject({
  clientVersion: optStr(),
  protocolVersion: optStr(),
  raysyncTransfer: z
    .looseObject({
      serverIp: optStr(),
      serverPort: optStrOrNum(),
      proxyIp: optStr(),
      proxyPort: optStrOrNum(),
      sslPort: optStrOrNum(),
      port: optStrOrNum(),
    })
    .nullable()
    .optional(),
});

export const RaysyncUserKeySchema = z.looseObject({
  raySyncUserKey: z.string(),
  userName: optStr(),
  platform: optStrOrNum(),
  userKey: optStr(),
  id: optInt(),
  zone: optInt(),
  channel: optInt(),
});

/** One entry of an output storage directory listing. */
export const OutputFileSchema = z
  .looseObject({
    fileName: z.string(),
    fileSize: optNum(),
    iconPath: optStr(),
    lastModify: optStrOrNum(),
    fileType: optStr(),
    /** Relative to the output storage root. */
    filePath: z.string(),
    directory: z.boolean(),
    isArrears: optFlag(),
  })
  .meta({ id: 'OutputFile' });

export type TransferConfig = z.output<typeof TransferConfigSchema>;
export type TransferServerInfo = z.output<typeof TransferServerInfoSchema>;
export type RaysyncUserKey = z.output<typeof RaysyncUserKeySchema>;
export type OutputFile = z.output<typeof OutputFileSchema>;
