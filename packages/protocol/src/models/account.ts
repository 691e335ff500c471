/** What the user operator answers: profile, settings, storage ids, hardware configs, audit logs (§2.7). */
import { z } from 'zod';
import { bid, optFlag, optInt, optNum, optStr, optStrOrNum } from './primitives.js';

export const UserProfileSchema = z
  .looseObject({
    userId: z.int(),
    userName: z.string(),
    platform: optInt(),
    phone: optStr(),
    email: optStr(),
    company: optStr(),
    name: optStr(),
    job: optStr(),
    communicationNumber: optStr(),
    softType: optInt(),
    softStatus: optInt(),
    businessType: optInt(),
    status: optInt(),
    infoStatus: optInt(),
    accountType: optInt(),
    userType: optInt(),
    mainUserId: optInt(),
    level: optInt(),
    pictureLever: optInt(),
    zone: optInt(),
    rmbbalance: optNum(),
    usdbalance: optNum(),
    rmbCumulative: optNum(),
    usdCumulative: optNum(),
    credit: optNum(),
    coupon: optNum(),
    description: optStr(),
    country: optStr(),
    city: optStr(),
    address: optStr(),
    cpuPrice: optNum(),
    gpuPrice: optNum(),
    gpuSingleDiscount: optNum(),
    extraRamRate: optNum(),
    /** Non-zero: a sub-account uploading into its main account's input storage. */
    shareMainCapital: optInt(),
    subDeleteTask: optFlag(),
    subDeleteCapital: optFlag(),
    useMainBalance: optFlag(),
    hideBalance: optFlag(),
    hideJobCharge: optFlag(),
    useLevelDirectory: optFlag(),
    downloadDisable: optFlag(),
    displaySubaccount: optFlag(),
    subaccountLimits: optFlag(),
    houdiniFlag: optFlag(),
    c4dFlag: optFlag(),
    blenderFlag: optFlag(),
    keyshotFlag: optFlag(),
    studentEndTime: optNum(),
    commonCoupon: optNum(),
    qyCoupon: optNum(),
    availableCredit: optNum(),
    totalCredit: optNum(),
    enableNodeDetails: optFlag(),
    taskNodeLimitPermission: optFlag(),
  })
  .meta({ id: 'UserProfile' });

export const UserSettingsSchema = z
  .looseObject({
    infoStatus: optInt(),
    accountType: optInt(),
    shareMainCapital: optInt(),
    subDeleteTask: optFlag(),
    useMainBalance: optFlag(),
    /** hours */
    taskOverTime: optNum(),
    /** seconds */
    taskOverTimeSec: optNum(),
    singleNodeRenderFrames: optStr(),
    maxIgnoreMapFlag: optFlag(),
    /** 1 off, 2 on (the reference answers it as text: "2") */
    autoCommit: optStrOrNum(),
    separateAccountFlag: optFlag(),
    mifileSwitchFlag: optFlag(),
    assfileSwitchFlag: optFlag(),
    manuallyStartAnalysisFlag: optFlag(),
    downloadDisable: optFlag(),
    ignoreMapFlag: optFlag(),
    isVrayLicense: optFlag(),
    justUploadConfigFlag: optFlag(),
    justUploadCgFlag: optFlag(),
    mandatoryAnalyseAllAgent: optFlag(),
    downloadLimit: optFlag(),
  })
  .meta({ id: 'UserSettings' });

/** `getBid`: the three storages of the user. This answer's keys are snake_case in the reference. */
export const TransferBidsSchema = z
  .looseObject({
    config_bid: bid(),
    output_bid: bid(),
    input_bid: bid(),
    parent_input_bid: bid().nullable().optional(),
    sub_user_output_bids: z
      .array(z.looseObject({ userId: z.union([z.int(), z.string()]), outputBid: bid() }))
      .nullable()
      .optional(),
  })
  .meta({ id: 'TransferBids' });

export const HardwareConfigSchema = z
  .looseObject({
    id: z.int(),
    /** 1 CPU, 2 GPU */
    type: z.int(),
    /** "Default", "28C", "1080Ti", "2080Ti", … */
    model: z.string(),
    /** "64GB" */
    ram: z.string(),
    /** null or e.g. "2*GPU" */
    gpuNum: z.string().nullable(),
    platform: z.int(),
    /** The config the given tasks use (meaningful when `taskIds` were sent). */
    current: z.boolean().nullable().optional(),
    notSupportCgId: z.array(z.int()).nullable().optional(),
    /** tips.json codes a scene must not have to run on this config. */
    notSupportCode: z
      .array(z.union([z.int(), z.string()]))
      .nullable()
      .optional(),
    /** Regular expressions matched against "<plugin> <version>". */
    notSupportPluginList: z.array(z.string()).nullable().optional(),
    /** 1 enabled, 0 disabled */
    status: z.int(),
  })
  .meta({ id: 'HardwareConfig' });

export const TaskRecordSchema = z.looseObject({
  userName: optStr(),
  taskType: optStr(),
  buttonName: optStr(),
  taskIds: z
    .union([z.string(), z.array(z.int())])
    .nullable()
    .optional(),
  channel: optInt(),
  createTime: z.union([z.string(), z.number()]).nullable().optional(),
  details: optStr(),
  operateSource: optStr(),
  userId: optInt(),
  requestIp: optStr(),
  requestURI: optStr(),
  requestParam: optStr(),
});

/** The docs do not list the fields of a login event; these are the ones task records share. */
export const LoginRecordSchema = z.looseObject({
  userId: optInt(),
  userName: optStr(),
  channel: optInt(),
  createTime: z.union([z.string(), z.number()]).nullable().optional(),
  requestIp: optStr(),
});

export type UserProfile = z.output<typeof UserProfileSchema>;
export type UserSettings = z.output<typeof UserSettingsSchema>;
export type TransferBids = z.output<typeof TransferBidsSchema>;
export type HardwareConfig = z.output<typeof HardwareConfigSchema>;
export type TaskRecord = z.output<typeof TaskRecordSchema>;
export type LoginRecord = z.output<typeof LoginRecordSchema>;
