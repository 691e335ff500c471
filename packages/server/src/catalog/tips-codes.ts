/**
 * queryAnalyseErrorDetail's catalogue: @openfarm/protocol's tips-code table,
 * the same one the analyzers take the codes they write from.
 */
import { TIP_CODE_TABLE, type TipCodeEntry, tipCodeEntry } from '@openfarm/protocol';

export type TipCode = TipCodeEntry;

export function tipCode(code: string): TipCode | undefined {
  return tipCodeEntry(code);
}

export function allTipCodes(): readonly TipCode[] {
  return TIP_CODE_TABLE;
}
