import type { DependencyKind } from '../core/index.js';

/**
 * Where Maya nodes keep paths of files the render reads: node type →
 * attribute names (short and long, as files may be saved with either) and
 * what the file is. Indexed attributes (`fn[0]`, `filename0`) are matched by
 * prefix when `indexed` is set; a stringArray value (Alembic layers) yields
 * every path it holds.
 */
export interface FileAttributeRule {
  readonly attrs: readonly string[];
  readonly kind: DependencyKind;
  /** Multi attribute: `attr[0]`, `attr[1]`… all count. */
  readonly indexed?: boolean;
}

const FILE_TEXTURE: FileAttributeRule = { attrs: ['ftn', 'fileTextureName'], kind: 'texture' };

export const FILE_ATTRIBUTES: ReadonlyMap<string, readonly FileAttributeRule[]> = new Map<
  string,
  readonly FileAttributeRule[]
>([
  ['file', [FILE_TEXTURE]],
  ['psdFileTex', [FILE_TEXTURE]],
  ['movie', [{ attrs: ['ftn', 'fileTextureName'], kind: 'movie' }]],
  ['mentalrayTexture', [FILE_TEXTURE]],
  ['imagePlane', [{ attrs: ['imn', 'imageName'], kind: 'image-plane' }]],
  [
    'AlembicNode',
    [
      { attrs: ['fn', 'abc_File'], kind: 'alembic' },
      { attrs: ['fns', 'abc_layerFiles'], kind: 'alembic' },
    ],
  ],
  ['gpuCache', [{ attrs: ['cfn', 'cacheFileName'], kind: 'cache' }]],
  ['aiStandIn', [{ attrs: ['dso'], kind: 'proxy' }]],
  ['aiImage', [{ attrs: ['filename'], kind: 'texture' }]],
  ['aiVolume', [{ attrs: ['filename'], kind: 'volume' }]],
  ['aiPhotometricLight', [{ attrs: ['aiFilename', 'ai_filename'], kind: 'ies' }]],
  ['RedshiftProxyMesh', [{ attrs: ['fn', 'fileName'], kind: 'proxy' }]],
  ['rsProxy', [{ attrs: ['fn', 'fileName'], kind: 'proxy' }]],
  ['VRayProxy', [{ attrs: ['fn', 'fileName'], kind: 'proxy' }]],
  ['VRayMesh', [{ attrs: ['fn', 'fileName'], kind: 'proxy' }]],
  ['VRayScene', [{ attrs: ['FilePath', 'fp', 'filePath'], kind: 'vrscene' }]],
  ['xgmPalette', [{ attrs: ['xfn', 'xgFileName'], kind: 'xgen' }]],
  ['mayaUsdProxyShape', [{ attrs: ['fp', 'filePath'], kind: 'usd' }]],
  ['mayaUsdProxyShapeBase', [{ attrs: ['fp', 'filePath'], kind: 'usd' }]],
  ['pxrUsdProxyShape', [{ attrs: ['fp', 'filePath'], kind: 'usd' }]],
  ['pxrUsdReferenceAssembly', [{ attrs: ['fp', 'filePath'], kind: 'usd' }]],
  ['AL_usdmaya_ProxyShape', [{ attrs: ['fp', 'filePath'], kind: 'usd' }]],
  ['PxrTexture', [{ attrs: ['filename'], kind: 'texture' }]],
  ['PxrPtexture', [{ attrs: ['filename'], kind: 'texture' }]],
  ['PxrNormalMap', [{ attrs: ['filename'], kind: 'texture' }]],
  ['PxrBump', [{ attrs: ['filename'], kind: 'texture' }]],
  ['PxrMultiTexture', [{ attrs: ['filename'], kind: 'texture', indexed: true }]],
  ['PxrDomeLight', [{ attrs: ['lightColorMap'], kind: 'texture' }]],
  ['PxrRectLight', [{ attrs: ['lightColorMap', 'iesProfile'], kind: 'texture' }]],
  ['PxrDiskLight', [{ attrs: ['iesProfile'], kind: 'ies' }]],
  ['PxrSphereLight', [{ attrs: ['iesProfile'], kind: 'ies' }]],
  ['PxrCylinderLight', [{ attrs: ['iesProfile'], kind: 'ies' }]],
  ['PxrMeshLight', [{ attrs: ['iesProfile'], kind: 'ies' }]],
  ['audio', [{ attrs: ['f', 'filename'], kind: 'sound' }]],
]);

/**
 * Path-holding attributes recognised on any node type (plugin nodes whose
 * type names vary by version): IES profiles and RenderMan light maps.
 */
export const ANY_NODE_FILE_ATTRIBUTES: readonly FileAttributeRule[] = [
  { attrs: ['iesProfile'], kind: 'ies' },
  { attrs: ['lightColorMap'], kind: 'texture' },
];

/**
 * For nodes whose type is unknown (Maya binary plugin nodes, read as
 * `mb:<id>`): attribute names that hold a file on every node type that has
 * them. Only values that look like a file name are taken.
 */
export const UNKNOWN_TYPE_FILE_ATTRIBUTES: readonly FileAttributeRule[] = [
  { attrs: ['ftn', 'fileTextureName'], kind: 'texture' },
  { attrs: ['dso'], kind: 'proxy' },
  { attrs: ['cfn', 'cacheFileName'], kind: 'cache' },
  { attrs: ['abc_File'], kind: 'alembic' },
  { attrs: ['fp', 'filePath'], kind: 'usd' },
  { attrs: ['xfn', 'xgFileName'], kind: 'xgen' },
  { attrs: ['filename', 'fileName', 'fn'], kind: 'texture' },
];
