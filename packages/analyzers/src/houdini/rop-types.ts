import type { NodeContext } from './node-context.js';

/**
 * What each known output driver is, keyed by `<context>/<base type>`: its
 * role on the farm (an image render, a geometry/cache write, a distributed
 * simulation, or a graph node that only drives others) and where its output
 * path, camera and resolution override live.
 */
export type RopRole = 'render' | 'cache' | 'distributedsim' | 'fetch' | 'merge';

export interface RopType {
  role: RopRole;
  /** Short renderer/writer name reported to the farm. */
  renderer: string;
  /** Output path parm(s), first non-empty wins. */
  output: string[];
  camera?: string;
  /** Supports `override_camerares` + `res_override`. */
  resOverride?: boolean;
  /** Output comes from a USD render settings LOP (Karma/Solaris). */
  renderSettings?: boolean;
}

const RENDER = (renderer: string, output: string[], extra: Partial<RopType> = {}): RopType => ({
  role: 'render',
  renderer,
  output,
  ...extra,
});
const CACHE = (renderer: string, output: string[]): RopType => ({ role: 'cache', renderer, output });

const ROP_TYPES: Record<string, RopType> = {
  'ROP/ifd': RENDER('mantra', ['vm_picture'], { camera: 'camera', resOverride: true }),
  'ROP/karma': RENDER('karma', ['picture'], { camera: 'camera', resOverride: true }),
  'ROP/usdrender': RENDER('usdrender', ['outputimage'], { renderSettings: true }),
  'ROP/usdrender_rop': RENDER('usdrender', ['outputimage'], { renderSettings: true }),
  'LOP/usdrender_rop': RENDER('usdrender', ['outputimage'], { renderSettings: true }),
  'ROP/opengl': RENDER('opengl', ['picture'], { camera: 'camera', resOverride: true }),
  'ROP/Redshift_ROP': RENDER('redshift', ['RS_outputFileNamePrefix'], { camera: 'RS_renderCamera' }),
  'ROP/arnold': RENDER('arnold', ['ar_picture'], { camera: 'camera', resOverride: true }),
  'ROP/vray_renderer': RENDER('vray', ['SettingsOutput_img_file_path'], { camera: 'render_camera' }),
  'ROP/ris': RENDER('renderman', ['ri_display_0', 'ri_display'], { camera: 'camera' }),
  'ROP/comp': RENDER('comp', ['copoutput']),
  'ROP/baketexture': RENDER('baketexture', ['vm_uvoutputpicture1']),
  'ROP/geometry': CACHE('geometry', ['sopoutput']),
  'SOP/rop_geometry': CACHE('geometry', ['sopoutput']),
  'ROP/alembic': CACHE('alembic', ['filename']),
  'SOP/rop_alembic': CACHE('alembic', ['filename']),
  'ROP/filmboxfbx': CACHE('fbx', ['sopoutput']),
  'SOP/rop_fbx': CACHE('fbx', ['sopoutput']),
  'ROP/usd': CACHE('usd', ['lopoutput']),
  'LOP/usd_rop': CACHE('usd', ['lopoutput']),
  'ROP/channel': CACHE('channel', ['chopoutput']),
  'ROP/dop': CACHE('dop', ['dopoutput']),
  'SOP/filecache': CACHE('filecache', ['file']),
  'ROP/hq_sim': { role: 'distributedsim', renderer: 'hq_sim', output: [] },
  'ROP/fetch': { role: 'fetch', renderer: 'fetch', output: [] },
  'ROP/merge': { role: 'merge', renderer: 'merge', output: [] },
};

/** Structural nodes of a ROP network that never write anything themselves. */
const ROP_NETWORK_PLUMBING = new Set(['null', 'subnet', 'switch', 'ropnet', 'wedge', 'batch', 'shell']);

/**
 * The driver description of a node, or undefined when it is not a ROP. In a
 * ROP network an unknown type (a studio or Labs HDA) is still a ROP: its role
 * is a render of unknown kind with no known output parm.
 */
export function ropTypeOf(context: NodeContext, baseType: string): RopType | undefined {
  const known = ROP_TYPES[`${context}/${baseType}`];
  if (known !== undefined) return known;
  if (context === 'ROP' && !ROP_NETWORK_PLUMBING.has(baseType)) {
    return { role: 'render', renderer: baseType, output: [] };
  }
  return undefined;
}

/** Parms that name files a node writes; never input dependencies, whatever node holds them. */
export const OUTPUT_PARMS = new Set([
  'vm_picture',
  'vm_dcmfilename',
  'vm_dsmfilename',
  'vm_uvoutputpicture1',
  'picture',
  'dcmfilename',
  'outputimage',
  'lopoutput',
  'sopoutput',
  'copoutput',
  'chopoutput',
  'dopoutput',
  'ar_picture',
  'ar_ass_file',
  'RS_outputFileNamePrefix',
  'RS_archive_file',
  'SettingsOutput_img_file_path',
  'ri_display',
  'ri_display_0',
  'soho_diskfile',
  'explicitcachename',
  'savepath',
]);
