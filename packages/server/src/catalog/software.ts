/**
 * The software the farm renders (querySoftwareList / querySoftwareDetail):
 * what its live render nodes advertise, with their versions. The table below
 * is not a list of what the farm renders; it gives the names, ids, scene
 * types and plugin lists of the software a node may advertise. Ids are
 * derived from positions so they are stable between restarts without a
 * table: version id = cgId·1000 + n (n ≤ the table's versions; a version only
 * nodes know gets cgId·1000 + 500 + n), plugin group id (`cvId`) = cgId·100 +
 * n, plugin version id = cgId·10000 + group·100 + n.
 */
import { CG_ID, canonicalVersion } from '@openfarm/protocol';
import type { LiveRenderer } from './live-renderers.js';

interface SoftwareEntry {
  cgId: number;
  cgName: string;
  /** Scene file extensions, ";"-separated. */
  cgType: string;
  isNeedProjectPath: number;
  isSupportLinux: number;
  versions: readonly string[];
  plugins: Readonly<Record<string, readonly string[]>>;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

const ENTRIES: readonly SoftwareEntry[] = [
  {
    cgId: CG_ID.MAYA,
    cgName: 'Maya',
    cgType: 'ma;mb',
    isNeedProjectPath: 1,
    isSupportLinux: 1,
    versions: range(2018, 2025),
    plugins: {
      mtoa: ['3.2.1.1', '4.2.4', '5.3.4.1', '5.4.5'],
      vrayformaya: ['5.20.02', '6.10.01', '6.20.02'],
      redshift: ['3.0.57', '3.5.19', '3.5.24'],
      renderman: ['22.6', '24.4', '25.2', '26.1'],
      yeti: ['4.1.1', '4.2.11'],
      golaem: ['8.1.3', '9.0.1'],
    },
  },
  {
    cgId: CG_ID.HOUDINI,
    cgName: 'Houdini',
    cgType: 'hip;hipnc;hiplc',
    isNeedProjectPath: 0,
    isSupportLinux: 1,
    versions: [
      '17.5',
      '17.5.293',
      '18.0',
      '18.0.566',
      '18.5',
      '18.5.759',
      '19.0',
      '19.0.720',
      '19.5',
      '19.5.805',
      '20.0',
      '20.0.751',
      '20.5',
      '20.5.487',
    ],
    plugins: {
      htoa: ['5.6.3.0', '6.1.3.3', '6.2.5.1'],
      redshift: ['3.0.57', '3.5.19', '3.5.24'],
      octane: ['2022.1.1', '2023.1'],
      renderman: ['24.4', '25.2', '26.1'],
    },
  },
  {
    cgId: CG_ID.CLARISSE,
    cgName: 'Clarisse',
    cgType: 'project',
    isNeedProjectPath: 0,
    isSupportLinux: 1,
    versions: [
      'clarisse_ifx_4.0_sp3',
      'clarisse_ifx_4.0_sp8',
      'clarisse_ifx_5.0_sp8',
      'clarisse_builder_5.0_sp8',
    ],
    plugins: {},
  },
  {
    cgId: CG_ID.KATANA,
    cgName: 'Katana',
    cgType: 'katana',
    isNeedProjectPath: 0,
    isSupportLinux: 1,
    versions: ['3.2v1', '3.6v1', '4.0v1', '4.5v1', '5.0v1', '6.0v1'],
    plugins: { KtoA: ['2.4.0.3', '4.2.1.0'], RenderMan: ['24.4', '25.2'], redshift: ['3.5.19'] },
  },
  {
    cgId: CG_ID.CINEMA4D,
    cgName: 'CINEMA 4D',
    cgType: 'c4d',
    isNeedProjectPath: 0,
    isSupportLinux: 0,
    versions: ['R19', 'R20', 'R21', 'R22', 'R23', 'R25', 'R26', '2023', '2024', '2025'],
    plugins: {
      c4dtoa: ['2.2.0', '4.6.1'],
      vray: ['1.9', '6.1'],
      redshift: ['3.5.19', '3.5.24'],
      octane: ['2022.1.1', '2023.1'],
      corona: ['10', '11'],
    },
  },
  {
    cgId: CG_ID.BLENDER,
    cgName: 'Blender',
    cgType: 'blend',
    isNeedProjectPath: 0,
    isSupportLinux: 1,
    versions: [
      '2.80',
      '2.81',
      '2.82',
      '2.83',
      '2.90',
      '2.91',
      '2.92',
      '2.93',
      '3.0',
      '3.1',
      '3.2',
      '3.3',
      '3.4',
      '3.4.1',
      '3.5',
      '3.6',
      '4.0',
      '4.1',
      '4.2',
      '4.3',
      '4.4',
      '4.5',
      '5.0',
    ],
    plugins: { octane: ['27.14', '2023.1'], redshift: ['3.5.19'] },
  },
  {
    cgId: CG_ID.MAX,
    cgName: '3ds Max',
    cgType: 'max',
    isNeedProjectPath: 0,
    isSupportLinux: 0,
    versions: range(2018, 2025),
    plugins: { vray: ['5.20.02', '6.10.01'], corona: ['10', '11'], arnold: ['5.6.3'] },
  },
];

export type SoftwareVersion = {
  id: number;
  cgId: number;
  cgName: string;
  cgVersion: string;
};

export type PluginGroup = {
  cvId: number;
  pluginName: string;
  pluginVersions: Array<{ pluginId: number; pluginName: string; pluginVersion: string }>;
};

/** The versions live nodes have of one software, in the one spelling the matcher compares, sorted. */
function liveVersions(cgName: string, nodes: readonly (readonly LiveRenderer[])[]): string[] {
  const name = cgName.toLowerCase();
  const found = nodes.flatMap((n) => n.filter((r) => r.cgName.trim().toLowerCase() === name));
  return [...new Set(found.map((r) => canonicalVersion(r.version)).filter((v) => v !== ''))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
}

/** How many live nodes advertise a software (by name, as the scheduler matches it). */
function nodesWith(cgName: string, nodes: readonly (readonly LiveRenderer[])[]): number {
  const lower = cgName.toLowerCase();
  return nodes.filter((n) => n.some((r) => r.cgName.trim().toLowerCase() === lower)).length;
}

/**
 * The software list, from the farm's live render nodes (`nodes`: one list of
 * renderers per live node): only software at least one live node renders,
 * with `renderNodes` (how many) and `cgVersionList` (their versions). A farm
 * with no live node answers an empty list; the SDK's check then says which
 * render node to start. A renderer no table entry names is left out: it has
 * no id a task.json could give.
 */
export function softwareList(nodes: readonly (readonly LiveRenderer[])[] = []) {
  const renderInfoList = ENTRIES.map((e) => ({
    cgId: e.cgId,
    cgName: e.cgName,
    cgType: e.cgType,
    iconPath: '',
    isNeedProjectPath: e.isNeedProjectPath,
    isNeedAnalyse: 1,
    isSupportLinux: e.isSupportLinux,
    renderNodes: nodesWith(e.cgName, nodes),
    cgVersionList: liveVersions(e.cgName, nodes),
  })).filter((e) => e.renderNodes > 0);
  return { isAutoCommit: 2, defaultCgId: CG_ID.MAYA, renderInfoList };
}

/** A live version and the less precise requests it satisfies: 4.0.3 → 4, 4.0, 4.0.3. */
function requestsSatisfiedBy(version: string): string[] {
  const parts = version.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

function pluginGroups(e: SoftwareEntry): PluginGroup[] {
  return Object.entries(e.plugins).map(([name, versions], g) => ({
    cvId: e.cgId * 100 + g + 1,
    pluginName: name,
    pluginVersions: versions.map((v, n) => ({
      pluginId: e.cgId * 10000 + (g + 1) * 100 + n + 1,
      pluginName: name,
      pluginVersion: v,
    })),
  }));
}

/**
 * Versions and plugins of one software, from the live nodes that render it:
 * each live version and the less precise requests it satisfies (a Clarisse
 * 4.0.3 node renders a project the analyzer wrote as Clarisse "4"), and the
 * plugin list, only while a live node renders the software. No live node
 * answers empty lists, as `osName` "linux" does for software that only
 * renders on Windows. Undefined for an unknown cg id.
 */
export function softwareDetail(
  cgId: number,
  osName: string | undefined,
  nodes: readonly (readonly LiveRenderer[])[] = [],
): { cgVersion: SoftwareVersion[]; cgPlugin: PluginGroup[] } | undefined {
  const e = ENTRIES.find((x) => x.cgId === cgId);
  if (e === undefined) return undefined;
  if (osName?.toLowerCase() === 'linux' && e.isSupportLinux === 0) return { cgVersion: [], cgPlugin: [] };
  // The nodes' own spelling too (`clarisse_ifx_4.0_sp3`), which a task.json may name as well.
  const name = e.cgName.toLowerCase();
  const advertised = nodes.flatMap((n) =>
    n
      .filter((r) => r.cgName.trim().toLowerCase() === name && r.version.trim() !== '')
      .map((r) => r.version.trim()),
  );
  const versions = [
    ...new Set([...liveVersions(e.cgName, nodes).flatMap(requestsSatisfiedBy), ...advertised]),
  ];
  if (versions.length === 0) return { cgVersion: [], cgPlugin: [] };
  // A version in the table keeps the id it always had; one only nodes know is numbered after them.
  let extra = 0;
  return {
    cgVersion: versions.map((v) => {
      const known = e.versions.indexOf(v);
      return {
        id: e.cgId * 1000 + (known >= 0 ? known + 1 : 500 + ++extra),
        cgId: e.cgId,
        cgName: e.cgName,
        cgVersion: v,
      };
    }),
    cgPlugin: pluginGroups(e),
  };
}

/** Every plugin version by id, for render environments. */
export function pluginById(
  pluginId: number,
): { pluginId: number; pluginName: string; pluginVersion: string } | undefined {
  for (const e of ENTRIES) {
    for (const g of pluginGroups(e)) {
      const found = g.pluginVersions.find((p) => p.pluginId === pluginId);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export function softwareName(cgId: number): string | undefined {
  return ENTRIES.find((e) => e.cgId === cgId)?.cgName;
}
