export { CrmofficeClient } from './client';
export { CrmofficeAuth } from './auth';
export type { CrmofficeAuthOptions, RefreshTokenListener } from './auth';
export { CrmofficeConfig, parseCrmofficeConfig, crmofficeConfigFromEnv } from './config';
export { Activity, Address, Company, Contact, CrmUser, ContactList, CompanyList, ActivityList, CrmUserList } from './schemas';
export type { ActivityFields, CompanyFields, ContactFields, ListOptions, Page } from './schemas';
export * as crmofficeApi from './api-assumptions';
