/**
 * @module server/auth
 * Server mode's access control: the access middleware (modes, sessions, API tokens, roles,
 * CSRF, audit), the session and admin endpoints, and user management for the CLI.
 */
export { accessControl, principalOf, serverMode, type AccessOptions, type Mode } from './access.ts';
export { authRoutes } from './routes.ts';
export { API_RULES, WEB_RULES, ruleFor, type Need, type Rule } from './rules.ts';
export { createApiToken, SESSION_COOKIE, IDLE_MS, ABSOLUTE_MS, TOKEN_PREFIX, type Principal } from './sessions.ts';
export { hashPassword, verifyPassword, parseHash } from './password.ts';
export { addUser, changeUser, checkName } from './users.ts';
