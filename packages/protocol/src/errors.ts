/**
 * The one error catalogue: every code the reference server and SDK use (§2.5)
 * plus openfarm's own, each with a symbol, English and Chinese messages and the
 * HTTP status a server should answer with.
 *
 * The reference client ignores the HTTP status and reads `code` from the
 * envelope, so `httpStatus` is only a hint for proxies, logs and browsers.
 *
 * Number ranges:
 * - 100–1000: the reference server's codes (§2.5). 800–815 and 900–920 are its
 *   account, registration and billing codes; a self-hosted farm rarely raises
 *   them, but a client talking to a rayvision cloud must be able to name them.
 * - 2000, 20003, 20004, 200001, 200024, 200025, 1000000–1000006: raised by the
 *   reference Python SDK on the client side, never by a server.
 * - 7000–7099: openfarm's own server codes. The reference uses nothing between
 *   1003 and 20003, so this block cannot collide with it; keeping them in one
 *   block lets a client tell "openfarm extension" from "reference" at a glance.
 */

export type Lang = 'en' | 'zh';

export interface ErrorDef {
  readonly code: number;
  readonly symbol: string;
  readonly en: string;
  readonly zh: string;
  /** HTTP status a server answers with for this code. */
  readonly httpStatus: number;
}

function def<S extends string>(code: number, symbol: S, httpStatus: number, en: string, zh: string) {
  return { code, symbol, httpStatus, en, zh } as const satisfies ErrorDef;
}

export const ERRORS = {
  // ── reference server: general ────────────────────────────────────────────
  FAIL: def(100, 'FAIL', 500, 'Failure', '失败'),
  SUCCESS: def(200, 'SUCCESS', 200, 'success', '成功'),
  NEED_REDIRECT: def(301, 'NEED_REDIRECT', 200, 'Redirect required', '需要跳转'),
  // The reference names this one `APIError`.
  API_ERROR: def(400, 'API_ERROR', 400, 'Bad request', '请求错误'),
  FORBIDDEN: def(403, 'FORBIDDEN', 403, 'No permission', '没有权限'),
  RESOURCE_NOT_FOUND: def(404, 'RESOURCE_NOT_FOUND', 404, 'Resource not found', '资源不存在'),
  INTERNAL_ERROR: def(500, 'INTERNAL_ERROR', 500, 'Internal server error', '服务器内部错误'),
  // The reference spells it `USER_CACHE_NOTFOUNT`.
  USER_CACHE_NOT_FOUND: def(513, 'USER_CACHE_NOT_FOUND', 500, 'User lookup failed', '用户信息查询失败'),
  PARAMETER_INVALID: def(600, 'PARAMETER_INVALID', 400, 'Invalid parameter', '参数非法'),
  PARAMETER_CANT_BE_EMPTY: def(
    601,
    'PARAMETER_CANT_BE_EMPTY',
    400,
    'A required parameter is missing',
    '缺少必填参数',
  ),
  NEED_USER_LOGIN: def(602, 'NEED_USER_LOGIN', 401, 'Login required', '需要登录'),
  ILLEGAL_PROTOCOL: def(603, 'ILLEGAL_PROTOCOL', 400, 'Illegal request', '非法请求'),
  VALIDATE_CODE_ERROR: def(
    604,
    'VALIDATE_CODE_ERROR',
    400,
    'Wrong phone verification code',
    '手机验证码不正确',
  ),
  INSUFFICIENT_PERMISSIONS: def(605, 'INSUFFICIENT_PERMISSIONS', 403, 'Insufficient permissions', '权限不够'),
  VALIDATE_COMMON_CODE_ERROR: def(
    606,
    'VALIDATE_COMMON_CODE_ERROR',
    400,
    'Wrong verification code',
    '验证码不正确',
  ),
  VALIDATE_SEND_CODE_ERROR: def(
    607,
    'VALIDATE_SEND_CODE_ERROR',
    502,
    'Could not send the verification code',
    '验证码未能发送',
  ),
  USER_AREA_ERROR: def(
    608,
    'USER_AREA_ERROR',
    403,
    'Account region does not match this service (domestic/international)',
    '账号所属区域（国内/海外）与服务不符',
  ),
  SIGNATURE_EXPIRED: def(610, 'SIGNATURE_EXPIRED', 401, 'Signature expired', '签名已过期'),
  SIGNATURE_INVALID: def(611, 'SIGNATURE_INVALID', 401, 'Invalid signature', '签名无效'),
  DO_NOT_HAVE_ANY_MORE_RECORD: def(
    700,
    'DO_NOT_HAVE_ANY_MORE_RECORD',
    200,
    'No more records',
    '没有更多记录',
  ),

  // ── reference server: account and login (800–815) ────────────────────────
  ACCOUNT_NOT_FOUND: def(800, 'ACCOUNT_NOT_FOUND', 401, 'Account does not exist', '账号不存在'),
  ACCOUNT_NOT_BOUND: def(801, 'ACCOUNT_NOT_BOUND', 403, 'Device not bound to the account', '设备未绑定'),
  ACCOUNT_BINDING_FAILED: def(802, 'ACCOUNT_BINDING_FAILED', 500, 'Device binding failed', '设备绑定失败'),
  ACCOUNT_NOT_ACTIVE: def(803, 'ACCOUNT_NOT_ACTIVE', 403, 'Account not activated', '账号尚未激活'),
  ACCOUNT_DISABLED: def(804, 'ACCOUNT_DISABLED', 403, 'Account disabled', '账号已禁用'),
  BAD_CREDENTIALS: def(805, 'BAD_CREDENTIALS', 401, 'Wrong user name or password', '用户名或密码不正确'),
  THIRD_PARTY_NOT_BOUND: def(
    806,
    'THIRD_PARTY_NOT_BOUND',
    403,
    'Account not bound to a third-party login',
    '账号未绑定第三方登录',
  ),
  PHONE_NOT_BOUND_THIRD_PARTY: def(
    807,
    'PHONE_NOT_BOUND_THIRD_PARTY',
    403,
    'Phone not bound to a third-party login',
    '手机未绑定第三方登录',
  ),
  PHONE_BOUND_OTHER_THIRD_PARTY: def(
    808,
    'PHONE_BOUND_OTHER_THIRD_PARTY',
    409,
    'Phone already bound to another third-party login',
    '手机已绑定其他第三方登录',
  ),
  WECHAT_LOGIN_FAILED: def(809, 'WECHAT_LOGIN_FAILED', 401, 'WeChat login failed', '微信登录失败'),
  WEIBO_LOGIN_FAILED: def(810, 'WEIBO_LOGIN_FAILED', 401, 'Weibo login failed', '微博登录失败'),
  LOGOUT_FAILED: def(811, 'LOGOUT_FAILED', 500, 'Logout failed', '退出登录失败'),
  IP_PROHIBITED: def(812, 'IP_PROHIBITED', 403, 'Login from this IP address is prohibited', '该IP禁止登录'),
  QQ_LOGIN_FAILED: def(813, 'QQ_LOGIN_FAILED', 401, 'QQ login failed', 'QQ登录失败'),
  SOFTWARE_ALREADY_SELECTED: def(
    814,
    'SOFTWARE_ALREADY_SELECTED',
    409,
    'Software already in the favourites',
    '常用软件不能重复选择',
  ),
  THIRD_PARTY_ID_EXISTS: def(
    815,
    'THIRD_PARTY_ID_EXISTS',
    409,
    'Third-party id already exists',
    '第三方账号标识已存在',
  ),

  // ── reference server: registration, billing, invoices, sub-users (900–920) ─
  PHONE_EXISTS: def(900, 'PHONE_EXISTS', 409, 'Phone number already registered', '手机号已被注册'),
  EMAIL_EXISTS: def(901, 'EMAIL_EXISTS', 409, 'Email already registered', '邮箱已被注册'),
  USERNAME_EXISTS: def(902, 'USERNAME_EXISTS', 409, 'User name already taken', '用户名已被使用'),
  EMAIL_NOT_BOUND: def(903, 'EMAIL_NOT_BOUND', 404, 'Email not bound to an account', '邮箱未绑定账号'),
  CURRENCY_NOT_SUPPORTED: def(904, 'CURRENCY_NOT_SUPPORTED', 400, 'Currency not supported', '不支持该币种'),
  AGENT_NOT_SUPPORTED: def(905, 'AGENT_NOT_SUPPORTED', 400, 'Agent not supported', '不支持该代理商'),
  AMOUNT_NOT_SUPPORTED: def(
    906,
    'AMOUNT_NOT_SUPPORTED',
    400,
    'Top-up amount out of range',
    '充值金额超出范围',
  ),
  // 907's meaning is not public; it sits in the payment block.
  PAYMENT_ERROR: def(907, 'PAYMENT_ERROR', 400, 'Payment error', '支付错误'),
  COUPON_NOT_SUPPORTED: def(908, 'COUPON_NOT_SUPPORTED', 400, 'Coupon code not accepted', '优惠码不可用'),
  PAY_METHOD_NOT_SUPPORTED: def(
    909,
    'PAY_METHOD_NOT_SUPPORTED',
    400,
    'Payment method not supported',
    '不支持该支付方式',
  ),
  NO_INVOICE_ORDER: def(
    910,
    'NO_INVOICE_ORDER',
    404,
    'No order available for an invoice',
    '没有可开发票的订单',
  ),
  NO_INVOICE_ADDRESS: def(911, 'NO_INVOICE_ADDRESS', 404, 'No invoice delivery address', '没有发票收件地址'),
  SUB_USER_HAS_TASKS: def(
    912,
    'SUB_USER_HAS_TASKS',
    409,
    'Cannot delete a sub-account with running tasks',
    '子账号有执行中的任务，不能删除',
  ),
  SUB_USER_IN_ARREARS: def(913, 'SUB_USER_IN_ARREARS', 402, 'Sub-account is in arrears', '子账号已欠费'),
  SUB_USER_HAS_BALANCE: def(
    914,
    'SUB_USER_HAS_BALANCE',
    409,
    'Sub-account to delete still has a balance',
    '待删除的子账号仍有余额',
  ),
  NO_INVOICE_TEMPLATE: def(
    915,
    'NO_INVOICE_TEMPLATE',
    404,
    'No invoice details available',
    '没有可用的发票信息',
  ),
  RECEIPT_TYPE_ERROR: def(916, 'RECEIPT_TYPE_ERROR', 400, 'Invoice type does not match', '发票类型不符'),
  RECEIPT_TITLE_EXISTS: def(
    917,
    'RECEIPT_TITLE_EXISTS',
    409,
    'Invoice title already exists',
    '发票抬头已存在',
  ),
  RECEIPT_TAX_ID_EXISTS: def(
    918,
    'RECEIPT_TAX_ID_EXISTS',
    409,
    'Taxpayer id already exists',
    '纳税人识别号已存在',
  ),
  USER_ACCOUNT_NOT_EXIST: def(
    919,
    'USER_ACCOUNT_NOT_EXIST',
    404,
    'User account does not exist',
    '用户账号不存在',
  ),
  NO_LATEST_VERSION: def(920, 'NO_LATEST_VERSION', 404, 'No newer client version', '没有更新的客户端版本'),

  REDIS_CACHE_FAIL: def(1000, 'REDIS_CACHE_FAIL', 500, 'Cache failure', '缓存异常'),

  // ── reference SDK, client side ───────────────────────────────────────────
  TASK_ID_TYPE_ERROR: def(2000, 'TASK_ID_TYPE_ERROR', 400, 'Task id must be an integer', '任务号必须是整数'),
  TIPS_PATH_UNDEFINED: def(
    20003,
    'TIPS_PATH_UNDEFINED',
    400,
    'The tips.json path is not defined',
    '未指定 tips.json 路径',
  ),
  JSON_FILE_UPLOAD_FAILED: def(
    20004,
    'JSON_FILE_UPLOAD_FAILED',
    502,
    'Config file upload failed',
    '配置文件上传失败',
  ),
  UPLOAD_FILE_MISSING: def(
    200001,
    'UPLOAD_FILE_MISSING',
    400,
    'upload.json to split does not exist',
    '要拆分的 upload.json 不存在',
  ),
  ARGUMENT_FORMAT_INVALID: def(
    200024,
    'ARGUMENT_FORMAT_INVALID',
    400,
    'Transfer argument format invalid',
    '传输参数格式错误',
  ),
  NON_UPLOADABLE_FILES: def(
    200025,
    'NON_UPLOADABLE_FILES',
    400,
    'Some files can never be uploaded',
    '部分文件无法上传',
  ),
  SDK_ERROR: def(1000000, 'SDK_ERROR', 500, 'Client error', '客户端错误'),
  HARDWARE_RULE_VIOLATION: def(
    1000001,
    'HARDWARE_RULE_VIOLATION',
    400,
    'The chosen hardware configuration cannot render this software version',
    '所选硬件配置不支持该软件版本',
  ),
  TASK_KEY_ERROR: def(
    1000002,
    'TASK_KEY_ERROR',
    400,
    'task.json key missing or already present',
    'task.json 字段缺失或已存在',
  ),
  PATH_TYPE_ERROR: def(
    1000003,
    'PATH_TYPE_ERROR',
    400,
    'Paths must be a string or a list of strings',
    '路径必须是字符串或字符串列表',
  ),
  FILE_NOT_FOUND: def(1000004, 'FILE_NOT_FOUND', 404, 'File not found', '文件不存在'),
  // The reference raises 1000005 from a JSON helper without a public meaning.
  JSON_HELPER_ERROR: def(1000005, 'JSON_HELPER_ERROR', 400, 'Job file helper error', '作业文件处理错误'),
  UPLOAD_JSON_MISSING: def(
    1000006,
    'UPLOAD_JSON_MISSING',
    404,
    'upload.json not found',
    '找不到 upload.json',
  ),

  // ── openfarm (7000–7099) ─────────────────────────────────────────────────
  NONCE_REPLAYED: def(
    7001,
    'NONCE_REPLAYED',
    401,
    'Nonce already used (replayed request)',
    '随机数已被使用（重放请求）',
  ),
  PAYLOAD_TOO_LARGE: def(7002, 'PAYLOAD_TOO_LARGE', 413, 'Request body too large', '请求体过大'),
  QUOTA_EXCEEDED: def(7003, 'QUOTA_EXCEEDED', 429, 'Quota exceeded', '超出配额'),
  BAD_SERVER_PATH: def(
    7004,
    'BAD_SERVER_PATH',
    400,
    'Invalid server path (traversal, empty segment or bad character)',
    '服务器路径非法（越级、空段或非法字符）',
  ),
  HASH_MISMATCH: def(7005, 'HASH_MISMATCH', 422, 'Content does not match its hash', '内容与哈希值不符'),
  LEASE_LOST: def(
    7006,
    'LEASE_LOST',
    409,
    'Frame lease lost or stale epoch; stop this frame',
    '帧租约已失效或版本过期，请停止该帧',
  ),
  WORKER_TOKEN_INVALID: def(
    7007,
    'WORKER_TOKEN_INVALID',
    401,
    'Invalid render node token',
    '渲染节点令牌无效',
  ),
  TASK_STATE_CONFLICT: def(
    7008,
    'TASK_STATE_CONFLICT',
    409,
    'The task or frame is not in a state that allows this action',
    '任务或帧当前状态不允许此操作',
  ),
  // Answered before a request body is read, when unverified bodies already fill the server's budget.
  SERVER_BUSY: def(
    7020,
    'SERVER_BUSY',
    503,
    'Server busy: too many unverified request bodies in flight, retry shortly',
    '服务器繁忙：未验证的请求体过多，请稍后重试',
  ),
  // SQLITE_FULL, ENOSPC, EDQUOT or PostgreSQL 53100: the farm's disk (or database volume) is full.
  STORAGE_FULL: def(
    7021,
    'STORAGE_FULL',
    507,
    "The farm's storage is full; free disk space on the server",
    '服务器存储空间已满，请释放磁盘空间',
  ),
} as const;

export type ErrorSymbol = keyof typeof ERRORS;

const BY_CODE: ReadonlyMap<number, ErrorDef> = new Map(Object.values(ERRORS).map((e) => [e.code, e]));

/** The catalogue entry for a code, or undefined for a code nobody defined. */
export function errorByCode(code: number): ErrorDef | undefined {
  return BY_CODE.get(code);
}

/** The message for a code in a language; unknown codes get a message that still names the code. */
export function errorMessage(code: number, lang: Lang = 'en'): string {
  const e = BY_CODE.get(code);
  if (e !== undefined) return e[lang];
  return lang === 'zh' ? `未知错误（${code}）` : `Unknown error (${code})`;
}

/** The reference's `languageFlag` header: "1" → Chinese, anything else English. */
export function langFromFlag(flag: string | undefined): Lang {
  return flag === '1' ? 'zh' : 'en';
}

export interface ApiErrorInit {
  /** Overrides the catalogue message (e.g. the message a server sent). */
  message?: string;
  /** The URL or path of the call that failed. */
  path?: string;
  /** Structured detail (e.g. validation issues). */
  detail?: unknown;
  lang?: Lang;
}

/**
 * An error answered by (or about) a call. Its message follows the reference's
 * `RayvisionAPIError`: `Error code: X, Error message: Y, URL: Z`.
 */
export class ApiError extends Error {
  readonly code: number;
  /** The catalogue symbol, or `UNKNOWN` for a code not in the catalogue. */
  readonly symbol: string;
  readonly path: string;
  readonly detail?: unknown;
  /** The message alone, without the code and URL. */
  readonly errorMessage: string;

  constructor(code: number, init: ApiErrorInit = {}) {
    const errorMessageText = init.message ?? errorMessage(code, init.lang ?? 'en');
    const path = init.path ?? '';
    super(`Error code: ${code}, Error message: ${errorMessageText}, URL: ${path}`);
    this.name = 'ApiError';
    this.code = code;
    this.symbol = errorByCode(code)?.symbol ?? 'UNKNOWN';
    this.path = path;
    this.errorMessage = errorMessageText;
    if (init.detail !== undefined) this.detail = init.detail;
  }

  /** Build from a catalogue symbol: `ApiError.of('SIGNATURE_INVALID', { path })`. */
  static of(symbol: ErrorSymbol, init: ApiErrorInit = {}): ApiError {
    return new ApiError(ERRORS[symbol].code, init);
  }

  override toString(): string {
    return this.message;
  }
}
