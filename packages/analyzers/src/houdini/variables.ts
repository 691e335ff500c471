/**
 * Variables visible to a node's expressions, resolved the way a render node
 * would see them: `$HIP`, `$HIPFILE`, `$HIPNAME` describe the file as opened
 * now (not the values saved in `.variables`), `$JOB` comes from the
 * environment first and the saved value second, user variables from
 * `.variables`, then the environment.
 */
export interface HipEnvironment {
  /** Variable → value; looked up before the environment. */
  vars: Map<string, string>;
  /** Environment of the analyzing process (or the caller's substitute). */
  env: Readonly<Record<string, string | undefined>>;
  fps: number;
  frameStart: number;
  frameEnd: number;
}

/** Saved values that describe where the file used to live; the file as opened now replaces them. */
const LOCATION_VARS = ['HIP', 'HIPFILE', 'HIPNAME'];

export function buildVariables(
  saved: Map<string, string>,
  hipFile: string,
  env: Readonly<Record<string, string | undefined>>,
): Map<string, string> {
  const vars = new Map(saved);
  for (const name of LOCATION_VARS) vars.delete(name);
  const normalized = hipFile.replace(/\\/g, '/');
  const slash = normalized.lastIndexOf('/');
  const dir = slash < 0 ? '.' : slash === 0 ? '/' : normalized.slice(0, slash);
  const base = normalized.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  vars.set('HIP', dir);
  vars.set('HIPFILE', normalized);
  vars.set('HIPNAME', dot > 0 ? base.slice(0, dot) : base);
  const job = env.JOB;
  if (job !== undefined && job !== '') vars.set('JOB', job.replace(/\\/g, '/'));
  return vars;
}
