/** The response envelope every call answers with (reference §2.5). */
export interface Envelope<T = unknown> {
  version: string;
  result: boolean;
  code: number;
  message: string;
  data: T;
  serverTime: number;
  requestId: string;
}
