import type { Config } from '../domain/config';
import type { Environment } from '../domain/environment';
import { DEFAULT_MAX_BODY_BYTES, type HttpServerOptions } from './server';

/** Loopback unless the config says otherwise: the hooks are reached through a proxy or by a local Alertmanager. */
export const DEFAULT_LISTEN = '127.0.0.1:8089';

export interface HttpSettings extends Omit<HttpServerOptions, 'intake' | 'logger'> {
  host: string;
  port: number;
}

/** Where the webhooks listen and what they accept: the config's `http` block, credentials from the environment only. */
export function httpSettings(env: Environment, config: Config): HttpSettings {
  const [host, port] = (config.http?.listen ?? DEFAULT_LISTEN).split(':') as [string, string];
  const settings: HttpSettings = {
    host,
    port: Number(port),
    webhookSecrets: env.SECOPS_WEBHOOK_SECRETS ?? [],
    maxBodyBytes: config.http?.maxBodyKb === undefined ? DEFAULT_MAX_BODY_BYTES : config.http.maxBodyKb * 1024,
  };
  if (env.SECOPS_ALERTMANAGER_TOKEN) settings.alertmanagerToken = env.SECOPS_ALERTMANAGER_TOKEN;
  return settings;
}
