import { z } from 'zod';

/** A CLI user's name, as `cli:<name>` principals, SECOPS_USER and the config's cliUsers write it. */
export const cliUserNameSchema = z.string().regex(/^[a-z_][a-z0-9_.-]{0,63}$/, 'must be a user name');
