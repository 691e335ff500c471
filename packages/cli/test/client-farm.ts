/**
 * A farm server in this process for the client commands' tests: on 127.0.0.1
 * (the address the profile and the printed commands name), its data under
 * `dir`/farm, with one artist account to log in as.
 */
import { join } from 'node:path';
import {
  createUser,
  type FarmPlugin,
  type NewUser,
  type RunningFarmServer,
  startServer,
} from '@openfarm/server';

export async function startClientFarm(
  dir: string,
  userName: string,
  plugins: readonly FarmPlugin[],
): Promise<{ server: RunningFarmServer; user: NewUser }> {
  const server = await startServer({
    dataDir: join(dir, 'farm'),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    plugins,
  });
  return { server, user: await createUser(server.farm.store.db, userName) };
}
