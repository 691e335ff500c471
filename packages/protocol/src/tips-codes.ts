/**
 * The analysis tip codes of tips.json (reference §3.4): each code's meaning in
 * English and Chinese, a suggested fix, and whether it blocks submission
 * (type 1) or only warns (type 0). One table for both sides: the server's
 * queryAnalyseErrorDetail answers from it, and the analyzers take the codes
 * they write from it, so every code an analyzer writes has a description.
 */

export interface TipCodeEntry {
  readonly code: string;
  /** 0 warning, 1 error (blocks submission). */
  readonly type: 0 | 1;
  readonly en: string;
  readonly zh: string;
  readonly solutionEn: string;
  readonly solutionZh: string;
}

const W = 0 as const;
const E = 1 as const;

function tip(
  code: number,
  type: 0 | 1,
  en: string,
  zh: string,
  solutionEn = '',
  solutionZh = '',
): TipCodeEntry {
  return Object.freeze({ code: String(code), type, en, zh, solutionEn, solutionZh });
}

const FIX_PATH_EN = 'Check that the file exists at the path the scene references and add it to upload.json.';
const FIX_PATH_ZH = '确认场景引用路径下文件存在，并把它加入 upload.json。';

/**
 * In the order queryAnalyseErrorDetail numbers them (`id` = position + 1), so
 * new codes go at the end.
 */
export const TIP_CODE_TABLE: readonly TipCodeEntry[] = Object.freeze([
  tip(
    999,
    E,
    'Unknown analysis error: the analysis command failed or wrote no result',
    '未知分析错误：分析命令失败或未生成结果',
    'Read the analysis log and analyse again.',
    '查看分析日志后重新分析。',
  ),
  tip(15002, W, 'Scene information could not be fully read', '场景信息未能完整读取'),
  tip(
    15004,
    E,
    'The renderer is not supported by the farm',
    '渲染器不受平台支持',
    'Switch to a supported renderer.',
    '请切换到平台支持的渲染器。',
  ),
  tip(
    15005,
    E,
    'The renderer is missing',
    '渲染器缺失',
    'Install or select the renderer plugin.',
    '请安装或选择渲染器插件。',
  ),
  tip(
    15006,
    E,
    'No renderable camera',
    '没有可渲染的相机',
    'Make at least one camera renderable.',
    '请至少设置一个可渲染相机。',
  ),
  tip(15009, E, 'Packing the scene failed', '场景打包失败'),
  tip(15010, W, 'Proxy objects are enabled', '启用了代理物体'),
  tip(
    15013,
    W,
    'The scene was saved by a different software version than the one requested',
    '场景保存版本与所选软件版本不一致',
    'Choose the version the scene was saved with.',
    '请选择场景保存时的软件版本。',
  ),
  tip(15015, W, 'Duplicate camera names', '相机名称重复'),
  tip(15016, W, 'Duplicate render element names', '渲染元素名称重复'),
  tip(
    15019,
    E,
    'The DCC executable was not found for the requested version',
    '未找到所选版本的软件可执行文件',
    'Install that version or give its executable path.',
    '请安装该版本或指定可执行文件路径。',
  ),
  tip(15020, W, 'V-Ray version does not match', 'V-Ray 版本不一致'),
  tip(15021, E, 'MultiScatter and V-Ray versions conflict', 'MultiScatter 与 V-Ray 版本冲突'),
  tip(15022, W, 'RealFlow version does not match', 'RealFlow 版本不一致'),
  tip(15023, W, 'Duplicate texture names', '贴图名称重复'),
  tip(15024, E, 'The scene file is missing', '场景文件缺失'),
  tip(15028, E, 'The .pl file could not be opened', '.pl 文件无法打开'),
  tip(15029, E, 'The .pl file content is invalid', '.pl 文件内容错误'),
  tip(15030, W, '3ds Max runs with too high a privilege level', '3ds Max 权限级别过高'),
  tip(
    15031,
    E,
    'Task information could not be read, or an element plugin is missing',
    '获取任务信息失败或缺少元素插件',
  ),
  tip(15032, W, 'A material path is too long', '材质路径过长'),
  tip(15033, E, 'The 3ds Max file name contains illegal characters', '3ds Max 文件名包含非法字符'),
  tip(10010, W, 'A plugin used by the scene is not supported', '场景使用了不支持的插件'),
  tip(10011, W, 'FumeFX cache missing', 'FumeFX 缓存缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10012, W, 'A referenced file or HDRI is missing', '引用的文件或 HDRI 缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10013, W, 'Gamma correction is on', '开启了 Gamma 校正'),
  tip(10014, W, 'A scene feature is not supported by the farm', '场景中有平台不支持的功能'),
  tip(10015, W, 'A scene feature is not supported by the farm', '场景中有平台不支持的功能'),
  tip(10016, W, 'A scene feature is not supported by the farm', '场景中有平台不支持的功能'),
  tip(10017, W, 'The .vrimg output path is not set', '未设置 .vrimg 输出路径'),
  tip(10018, W, 'Alembic file missing', 'Alembic 文件缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10019, W, 'Kk file missing', 'Kk 文件缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10020, W, 'XMesh file missing', 'XMesh 文件缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10021, W, 'RealFlow cache missing', 'RealFlow 缓存缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10022, W, 'Phoenix or simulation cache missing', 'Phoenix 或模拟缓存缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10023, W, 'Irradiance map (vrmap) missing', '光子贴图 (vrmap) 缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10024, W, 'Light cache (vrlmap) missing', '灯光缓存 (vrlmap) 缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10025, W, 'XRef scene missing', 'XRef 场景缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10026, W, 'XRef object missing', 'XRef 物体缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10027, W, 'Animated map missing', '动画贴图缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10028, W, 'VDB file missing', 'VDB 文件缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10030, W, 'V-Ray mesh (vrmesh) missing', 'V-Ray 代理 (vrmesh) 缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10032, W, 'Hair cache missing', '毛发缓存缺失', FIX_PATH_EN, FIX_PATH_ZH),
  tip(10033, W, '3ds Max is not the English version', '3ds Max 非英文版'),
  tip(10035, E, 'No active camera', '没有激活的相机', 'Set an active camera.', '请设置激活相机。'),
  tip(20001, W, 'Maya scene check reported a problem', 'Maya 场景检查发现问题'),
  tip(20012, W, 'Maya scene check reported a problem', 'Maya 场景检查发现问题'),
  tip(25009, W, 'A referenced file was not found', '引用的文件未找到', FIX_PATH_EN, FIX_PATH_ZH),
  tip(
    46000,
    E,
    'The output format is a movie container; the farm renders image sequences',
    '输出格式为视频格式，平台只渲染序列帧',
    'Choose an image format (PNG, EXR…).',
    '请选择图片格式（PNG、EXR 等）。',
  ),
  tip(46001, W, 'The frame step is not 1', '帧步长不为 1'),
  tip(
    46002,
    W,
    'Eevee needs a GPU render node',
    'Eevee 需要 GPU 渲染节点',
    'Choose a GPU hardware configuration.',
    '请选择 GPU 硬件配置。',
  ),
  tip(
    46003,
    E,
    'The scene has no camera',
    '场景没有相机',
    'Add a camera and make it the scene camera.',
    '请添加相机并设为场景相机。',
  ),
  tip(50001, W, 'A file referenced by a node is missing', '节点引用的文件缺失', FIX_PATH_EN, FIX_PATH_ZH),
  ...[
    ...Array.from({ length: 15 }, (_, i) => 50002 + i),
    ...Array.from({ length: 7 }, (_, i) => 50104 + i),
  ].map((code) =>
    tip(
      code,
      W,
      `Houdini scene check ${code} reported a problem (see the details)`,
      `Houdini 场景检查 ${code} 发现问题（见详情）`,
    ),
  ),
]);

const BY_CODE: ReadonlyMap<string, TipCodeEntry> = new Map(TIP_CODE_TABLE.map((t) => [t.code, t]));

export function tipCodeEntry(code: string | number): TipCodeEntry | undefined {
  return BY_CODE.get(String(code));
}

/**
 * `code` as tips.json writes it ("15013"), for code that writes tips: an
 * unknown code throws when the writer's module loads, so a code without a
 * description never reaches a tips.json.
 */
export function knownTipCode(code: number): string {
  const entry = tipCodeEntry(code);
  if (entry === undefined) throw new Error(`tip code ${code} is not in TIP_CODE_TABLE`);
  return entry.code;
}
