export { PowerOfficeConfig, parsePowerOfficeConfig, tokenUrlOf } from './config';
export { PowerOfficeTokenProvider, type PowerOfficeAuthOptions } from './auth';
export { Department, Employee, MailAddress, READ_ONLY_FIELDS } from './schemas';
export type { DepartmentFields, EmployeeFields } from './schemas';
export { toJsonPatch } from './json-patch';
export type { JsonPatchOperation } from './json-patch';
export { MAX_PAGE_SIZE, PAGINATION_HEADER, Pagination, paginationOf, PowerOfficeClient } from './client';
export type { DepartmentFilter, EmployeeFilter, Page, Paging } from './client';
