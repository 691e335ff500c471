/** `api.env` (reference §2.7): render environments ("user plugin configs"). */
import { cgIdOf } from '@openfarm/protocol';
import type { Caller, Input, Output } from './caller.js';

export interface GetRenderEnvOptions {
  /** One software by name (`maya`, `houdini` …). */
  name?: string;
  /** Several software by name. */
  cgNames?: string[];
  /** 0 Linux, 1 Windows (the reference's default). */
  osName?: 0 | 1;
}

export class EnvOperator {
  constructor(private readonly caller: Caller) {}

  addRenderEnv(env: Input<'env.addRenderEnv'>): Promise<Output<'env.addRenderEnv'>> {
    return this.caller.call('env.addRenderEnv', env);
  }

  updateRenderEnv(env: Input<'env.updateRenderEnv'>): Promise<Output<'env.updateRenderEnv'>> {
    return this.caller.call('env.updateRenderEnv', env);
  }

  deleteRenderEnv(editName: string): Promise<Output<'env.deleteRenderEnv'>> {
    return this.caller.call('env.deleteRenderEnv', { editName });
  }

  setDefaultRenderEnv(editName: string): Promise<Output<'env.setDefaultRenderEnv'>> {
    return this.caller.call('env.setDefaultRenderEnv', { editName });
  }

  async getRenderEnv(options: GetRenderEnvOptions = {}): Promise<Output<'env.getRenderEnv'>> {
    return this.caller.call('env.getRenderEnv', {
      osName: options.osName ?? 1,
      ...(options.name !== undefined ? { cgId: cgIdOf(options.name) } : {}),
      ...(options.cgNames !== undefined ? { cgIds: options.cgNames.map(cgIdOf) } : {}),
    });
  }
}
