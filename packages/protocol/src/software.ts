/**
 * The software table (§3.5): `cg_id` ↔ software, the `software_config.cg_name`
 * display names the farm expects, and the lower-case aliases clients look
 * names up by.
 */

export interface SoftwareDef {
  readonly cgId: number;
  /** Human name. */
  readonly name: string;
  /** The value of `software_config.cg_name` in task.json. */
  readonly cgName: string;
  /** Lower-case names accepted by {@link softwareByName} (the display names are accepted too). */
  readonly aliases: readonly string[];
}

export const CG_ID = {
  MAYA: 2000,
  MAX: 2001,
  LIGHTWAVE: 2002,
  ARNOLD_STANDALONE: 2003,
  HOUDINI: 2004,
  CINEMA4D: 2005,
  SOFTIMAGE: 2006,
  BLENDER: 2007,
  VRAY_STANDALONE: 2008,
  MENTAL_RAY_STANDALONE: 2009,
  SKETCHUP: 2010,
  VUE: 2011,
  KEYSHOT: 2012,
  CLARISSE: 2013,
  OCTANE: 2014,
  KATANA: 2016,
  UNREAL: 2020,
} as const;
export type CgId = (typeof CG_ID)[keyof typeof CG_ID];

export const SOFTWARE: readonly SoftwareDef[] = [
  { cgId: CG_ID.MAYA, name: 'Maya', cgName: 'Maya', aliases: ['maya'] },
  // Older reference code wrote "3dsmax".
  { cgId: CG_ID.MAX, name: '3ds Max', cgName: '3ds Max', aliases: ['3ds max', '3dsmax', 'max'] },
  { cgId: CG_ID.LIGHTWAVE, name: 'LightWave', cgName: 'LightWave', aliases: ['lightwave'] },
  {
    cgId: CG_ID.ARNOLD_STANDALONE,
    name: 'Arnold Standalone',
    cgName: 'Arnold Standalone',
    aliases: ['arnold standalone', 'arnold_standalone', 'ar_standalone'],
  },
  { cgId: CG_ID.HOUDINI, name: 'Houdini', cgName: 'Houdini', aliases: ['houdini'] },
  { cgId: CG_ID.CINEMA4D, name: 'Cinema 4D', cgName: 'CINEMA 4D', aliases: ['cinema4d', 'cinema 4d', 'c4d'] },
  { cgId: CG_ID.SOFTIMAGE, name: 'Softimage', cgName: 'Softimage', aliases: ['softimage'] },
  { cgId: CG_ID.BLENDER, name: 'Blender', cgName: 'Blender', aliases: ['blender'] },
  {
    cgId: CG_ID.VRAY_STANDALONE,
    name: 'V-Ray Standalone',
    cgName: 'VR Standalone',
    aliases: ['vr_standalone', 'vr standalone', 'v-ray standalone', 'vray standalone', 'vray_standalone'],
  },
  {
    cgId: CG_ID.MENTAL_RAY_STANDALONE,
    name: 'Mental Ray Standalone',
    cgName: 'Mental Ray Standalone',
    aliases: ['mr_standalone', 'mental ray standalone', 'mentalray standalone'],
  },
  { cgId: CG_ID.SKETCHUP, name: 'SketchUp', cgName: 'SketchUp', aliases: ['sketchup', 'sketch up'] },
  { cgId: CG_ID.VUE, name: 'Vue', cgName: 'Vue', aliases: ['vue'] },
  { cgId: CG_ID.KEYSHOT, name: 'KeyShot', cgName: 'KeyShot', aliases: ['keyshot'] },
  { cgId: CG_ID.CLARISSE, name: 'Clarisse', cgName: 'Clarisse', aliases: ['clarisse'] },
  {
    cgId: CG_ID.OCTANE,
    name: 'Octane Render',
    cgName: 'Octane Render',
    aliases: ['octane', 'octane render'],
  },
  { cgId: CG_ID.KATANA, name: 'Katana', cgName: 'Katana', aliases: ['katana'] },
  {
    cgId: CG_ID.UNREAL,
    name: 'Unreal Engine',
    cgName: 'Unreal Engine',
    aliases: ['unreal', 'unreal engine', 'ue'],
  },
];

const BY_ID: ReadonlyMap<number, SoftwareDef> = new Map(SOFTWARE.map((s) => [s.cgId, s]));

const BY_NAME: ReadonlyMap<string, SoftwareDef> = new Map(
  SOFTWARE.flatMap((s) =>
    [...s.aliases, s.name.toLowerCase(), s.cgName.toLowerCase()].map((n) => [n, s] as [string, SoftwareDef]),
  ),
);

/** The software with this `cg_id` (number or the string task.json carries). */
export function softwareById(cgId: number | string): SoftwareDef | undefined {
  const n = typeof cgId === 'string' ? Number(cgId.trim()) : cgId;
  return Number.isInteger(n) ? BY_ID.get(n) : undefined;
}

/** Case-insensitive lookup by alias or display name (`maya`, `3ds Max`, `C4D`, `CINEMA 4D`, `vr_standalone`). */
export function softwareByName(name: string): SoftwareDef | undefined {
  return BY_NAME.get(name.trim().toLowerCase().replace(/\s+/g, ' '));
}

/** The `cg_id` for a software name; throws a clear error for names the table does not know. */
export function cgIdOf(name: string): number {
  const s = softwareByName(name);
  if (s === undefined) {
    throw new Error(`unknown software "${name}"; known: ${SOFTWARE.map((x) => x.name).join(', ')}`);
  }
  return s.cgId;
}
