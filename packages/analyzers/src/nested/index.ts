/**
 * Files named inside the files a scene names: a dependency reader per
 * intermediate format, registered by extension, and the follower the
 * analyzers run after reading a scene. Readers: USD (`.usd`, `.usda`,
 * `.usdc`, `.usdz`), Arnold (`.ass`, `.ass.gz`), MaterialX (`.mtlx`), OCIO
 * (`.ocio`), V-Ray (`.vrscene`), XGen (`.xgen`); Alembic (`.abc`) and
 * Redshift proxies (`.rs`) are scanned for absolute paths the render node
 * cannot map, with a warning and no dependency.
 */
import { alembicPathReader, redshiftProxyPathReader } from './binary-path-scan.js';
import { assDependencyReader } from './ass-reader.js';
import { registerDependencyReader } from './dependency-reader.js';
import { mtlxDependencyReader } from './mtlx-reader.js';
import { ocioDependencyReader } from './ocio-reader.js';
import { usdDependencyReader } from './usd-reader.js';
import { vrsceneDependencyReader } from './vrscene-reader.js';
import { xgenDependencyReader } from './xgen-reader.js';

registerDependencyReader(['.usd', '.usda', '.usdc', '.usdz'], usdDependencyReader);
registerDependencyReader(['.ass', '.ass.gz'], assDependencyReader);
registerDependencyReader(['.mtlx'], mtlxDependencyReader);
registerDependencyReader(['.ocio'], ocioDependencyReader);
registerDependencyReader(['.vrscene', '.vrscene.gz'], vrsceneDependencyReader);
registerDependencyReader(['.xgen'], xgenDependencyReader);
registerDependencyReader(['.abc'], alembicPathReader);
registerDependencyReader(['.rs'], redshiftProxyPathReader);

export {
  ASSET_EXTENSIONS,
  absolutePathsIn,
  namesFileHere,
  scanAbsolutePaths,
  scannedRanges,
} from './binary-path-scan.js';

export { readAssDependencies } from './ass-reader.js';
export {
  type DependencyReader,
  dependencyReaderFor,
  type NestedRef,
  registerDependencyReader,
} from './dependency-reader.js';
export {
  DEFAULT_NESTED_LIMITS,
  followNestedDependencies,
  type NestedLimits,
  type NestedReport,
} from './follow-nested.js';
export { readMtlxDependencies } from './mtlx-reader.js';
export { readOcioDependencies } from './ocio-reader.js';
export { readVrsceneDependencies } from './vrscene-reader.js';
export { readXgenDependencies } from './xgen-reader.js';
