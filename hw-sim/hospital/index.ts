export { startHospital, DEFAULT_HOSPITAL_AE, HOSPITAL_SERVICES, type Hospital, type HospitalOptions } from './hospital.js';
export type { RemoteAe } from './commitment-scp.js';
export { SCHEDULED_PATIENTS } from './schedule.js';
