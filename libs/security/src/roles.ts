/**
 * Who may do what. Least privilege: each role gets only the permissions its work needs, and
 * every endpoint names exactly one permission (`@Allow(...)` in the API). One table, so the
 * answer to "can an evaluator read a timeline?" is in one place.
 */
export const ROLES = ['keyworker', 'manager', 'evaluator', 'data_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'families:write', // refer a family, record its events (own authority)
  'families:read', // family-level reads: a family, its timeline, the family list (own authority)
  'families:erase', // crypto-shred a family's personal data
  'families:transfer', // hand a family over to another authority (managers of the owning one)
  'follow-ups:read', // the follow-up queue (family-level)
  'follow-ups:record', // record a revisit done or missed
  'follow-ups:assign', // give a revisit to a worker
  'outcomes:read', // aggregates only: outcomes table, cohort summary, savings, charts
  'returns:write', // build a national return
  'returns:read', // read a return's status, content and diff
  'programme-costs:write', // enter what the authority spent on a programme in a year (own authority)
  'extracts:read', // record-level extract under pseudonyms (accredited evaluators)
  'audit:read', // the audit trail
  'metrics:read', // Prometheus metrics (every authority's figures: national callers only)
  // Scopes rather than endpoints:
  'scope:national', // may hold the national scope (authority null: every authority)
  'returns:national', // build and read a return over every authority
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const GRANTS: Record<Role, readonly Permission[]> = {
  keyworker: [
    'families:write',
    'families:read',
    'follow-ups:read',
    'follow-ups:record',
    'outcomes:read',
  ],
  manager: [
    'families:write',
    'families:read',
    'families:erase',
    'families:transfer',
    'follow-ups:read',
    'follow-ups:record',
    'follow-ups:assign',
    'outcomes:read',
  ],
  // Aggregates only, always under disclosure control; never a family-level read.
  evaluator: ['outcomes:read', 'extracts:read', 'scope:national'],
  data_manager: ['outcomes:read', 'returns:write', 'returns:read', 'programme-costs:write'],
  // National: the admins are who build the national return (every authority).
  admin: [
    'audit:read',
    'metrics:read',
    'families:erase',
    'outcomes:read',
    'returns:write',
    'returns:read',
    'scope:national',
    'returns:national',
  ],
};

/**
 * The caller, as established by a verified token or API key. `authority` scopes every read and
 * write; `null` means national (all authorities) and is only ever given to evaluators and admins.
 */
export interface Principal {
  subject: string;
  role: Role;
  authority: string | null;
  /** 'token' for people (JWT), 'api-key' for systems. */
  via: 'token' | 'api-key';
}

export const can = (principal: Pick<Principal, 'role'>, permission: Permission): boolean =>
  GRANTS[principal.role].includes(permission);
