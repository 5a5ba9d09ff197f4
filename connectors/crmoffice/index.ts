export { CrmofficeClient } from './client';
export { CrmofficeConfig, crmofficeConfigFromEnv } from './config';
export * as crmofficeApi from './api-assumptions';
