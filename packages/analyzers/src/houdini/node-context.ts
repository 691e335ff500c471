/**
 * A node's operator context is decided by the network it lives in, not by
 * its type name: `geometry` is a ROP in /out but a CHOP in a chopnet, and
 * `alembic` is the Alembic ROP in a ROP network but the reader SOP in a geo
 * network.
 */
export type NodeContext =
  | 'OBJ'
  | 'SOP'
  | 'ROP'
  | 'CHOP'
  | 'COP'
  | 'DOP'
  | 'VOP'
  | 'SHOP'
  | 'LOP'
  | 'TOP'
  | 'MANAGER';

/** Children of the top-level managers (`/obj`, `/out`, …). */
const MANAGER_CHILD_CONTEXT: Record<string, NodeContext> = {
  obj: 'OBJ',
  out: 'ROP',
  ch: 'CHOP',
  shop: 'SHOP',
  img: 'COP',
  vex: 'VOP',
  mat: 'VOP',
  stage: 'LOP',
  tasks: 'TOP',
};

/** Network node types whose children live in another context, whatever context the network itself is in. */
const NETWORK_CHILD_CONTEXT: Record<string, NodeContext> = {
  ropnet: 'ROP',
  dopnet: 'DOP',
  chopnet: 'CHOP',
  cop2net: 'COP',
  img: 'COP',
  matnet: 'VOP',
  vopnet: 'VOP',
  materiallibrary: 'VOP',
  materialbuilder: 'VOP',
  shopnet: 'SHOP',
  lopnet: 'LOP',
  topnet: 'TOP',
  sopnet: 'SOP',
  sopcreate: 'SOP',
  sopmodify: 'SOP',
};

export function managerChildContext(manager: string): NodeContext | undefined {
  return MANAGER_CHILD_CONTEXT[manager];
}

/** Context of the nodes inside a node of `context` and base type `baseType`. */
export function childContext(context: NodeContext, baseType: string): NodeContext {
  const network = NETWORK_CHILD_CONTEXT[baseType];
  if (network !== undefined) return network;
  // Object nodes hold SOPs (geo, cam, HDAs built on geo); only object subnets hold more objects.
  if (context === 'OBJ') return baseType === 'subnet' ? 'OBJ' : 'SOP';
  return context;
}

/** `labs::filecache::2.0` → `filecache`; `Redshift_ROP` stays as is. */
export function baseTypeName(type: string): string {
  const parts = type.split('::');
  if (parts.length >= 2 && /^\d+(?:\.\d+)*$/.test(parts[parts.length - 1]!)) parts.pop();
  return parts[parts.length - 1]!;
}
