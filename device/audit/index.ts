export { DbAuditLog } from './audit-log.js';
export { auditSends } from './send-audit.js';
