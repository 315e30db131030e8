/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CheckTenantHealth($organizationId: ID!) {\n  checkTenantHealth(organizationId: $organizationId) {\n    health {\n      ...TenantHealthFields\n    }\n  }\n}": typeof types.CheckTenantHealthDocument,
    "mutation DeprovisionTenant($organizationId: ID!, $confirm: String!) {\n  deprovisionTenant(organizationId: $organizationId, confirm: $confirm) {\n    tenant {\n      ...TenantFields\n    }\n  }\n}": typeof types.DeprovisionTenantDocument,
    "query MyOrganizations {\n  myOrganizations {\n    id\n    name\n    role\n    tenant {\n      id\n      status\n      healthStatus\n      progress\n    }\n  }\n}": typeof types.MyOrganizationsDocument,
    "mutation ProvisionTenant($input: ProvisionTenantInput!) {\n  provisionTenant(input: $input) {\n    created\n    tenant {\n      ...TenantFields\n    }\n  }\n}": typeof types.ProvisionTenantDocument,
    "mutation RetryTenantProvisioning($organizationId: ID!, $step: ProvisioningStepName) {\n  retryTenantProvisioning(organizationId: $organizationId, step: $step) {\n    tenant {\n      ...TenantFields\n    }\n  }\n}": typeof types.RetryTenantProvisioningDocument,
    "query Tenant($organizationId: ID!) {\n  tenant(organizationId: $organizationId) {\n    ...TenantFields\n  }\n}": typeof types.TenantDocument,
    "query TenantConnectionInfo($organizationId: ID!) {\n  tenantConnectionInfo(organizationId: $organizationId) {\n    organizationId\n    host\n    pooledHost\n    port\n    database\n    role\n    sslMode\n    directUri\n    pooledUri\n  }\n}": typeof types.TenantConnectionInfoDocument,
    "query TenantHealth($organizationId: ID!, $trendHours: Int) {\n  tenantHealth(organizationId: $organizationId, trendHours: $trendHours) {\n    ...TenantHealthFields\n  }\n}": typeof types.TenantHealthDocument,
    "query Tenants($status: TenantStatus, $first: Int, $after: String) {\n  tenants(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...TenantFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}": typeof types.TenantsDocument,
    "fragment ErrorInfoFields on ErrorInfo {\n  code\n  message\n}\n\nfragment TenantFields on Tenant {\n  id\n  organizationId\n  organizationName\n  status\n  plan\n  region\n  computeSize\n  strategy\n  progress\n  steps {\n    name\n    state\n    attempts\n    error {\n      ...ErrorInfoFields\n    }\n    startedAt\n    finishedAt\n  }\n  healthStatus\n  lastHealthCheckAt\n  lastError {\n    ...ErrorInfoFields\n  }\n  createdAt\n  updatedAt\n  provisionedAt\n}\n\nfragment HealthCheckFields on HealthCheck {\n  id\n  status\n  checkedAt\n  latencyMs\n  error {\n    ...ErrorInfoFields\n  }\n}\n\nfragment TenantHealthFields on TenantHealth {\n  organizationId\n  status\n  latest {\n    ...HealthCheckFields\n  }\n  trend {\n    bucketStart\n    status\n    checks\n    failures\n    avgLatencyMs\n  }\n}": typeof types.ErrorInfoFieldsFragmentDoc,
};
const documents: Documents = {
    "mutation CheckTenantHealth($organizationId: ID!) {\n  checkTenantHealth(organizationId: $organizationId) {\n    health {\n      ...TenantHealthFields\n    }\n  }\n}": types.CheckTenantHealthDocument,
    "mutation DeprovisionTenant($organizationId: ID!, $confirm: String!) {\n  deprovisionTenant(organizationId: $organizationId, confirm: $confirm) {\n    tenant {\n      ...TenantFields\n    }\n  }\n}": types.DeprovisionTenantDocument,
    "query MyOrganizations {\n  myOrganizations {\n    id\n    name\n    role\n    tenant {\n      id\n      status\n      healthStatus\n      progress\n    }\n  }\n}": types.MyOrganizationsDocument,
    "mutation ProvisionTenant($input: ProvisionTenantInput!) {\n  provisionTenant(input: $input) {\n    created\n    tenant {\n      ...TenantFields\n    }\n  }\n}": types.ProvisionTenantDocument,
    "mutation RetryTenantProvisioning($organizationId: ID!, $step: ProvisioningStepName) {\n  retryTenantProvisioning(organizationId: $organizationId, step: $step) {\n    tenant {\n      ...TenantFields\n    }\n  }\n}": types.RetryTenantProvisioningDocument,
    "query Tenant($organizationId: ID!) {\n  tenant(organizationId: $organizationId) {\n    ...TenantFields\n  }\n}": types.TenantDocument,
    "query TenantConnectionInfo($organizationId: ID!) {\n  tenantConnectionInfo(organizationId: $organizationId) {\n    organizationId\n    host\n    pooledHost\n    port\n    database\n    role\n    sslMode\n    directUri\n    pooledUri\n  }\n}": types.TenantConnectionInfoDocument,
    "query TenantHealth($organizationId: ID!, $trendHours: Int) {\n  tenantHealth(organizationId: $organizationId, trendHours: $trendHours) {\n    ...TenantHealthFields\n  }\n}": types.TenantHealthDocument,
    "query Tenants($status: TenantStatus, $first: Int, $after: String) {\n  tenants(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...TenantFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}": types.TenantsDocument,
    "fragment ErrorInfoFields on ErrorInfo {\n  code\n  message\n}\n\nfragment TenantFields on Tenant {\n  id\n  organizationId\n  organizationName\n  status\n  plan\n  region\n  computeSize\n  strategy\n  progress\n  steps {\n    name\n    state\n    attempts\n    error {\n      ...ErrorInfoFields\n    }\n    startedAt\n    finishedAt\n  }\n  healthStatus\n  lastHealthCheckAt\n  lastError {\n    ...ErrorInfoFields\n  }\n  createdAt\n  updatedAt\n  provisionedAt\n}\n\nfragment HealthCheckFields on HealthCheck {\n  id\n  status\n  checkedAt\n  latencyMs\n  error {\n    ...ErrorInfoFields\n  }\n}\n\nfragment TenantHealthFields on TenantHealth {\n  organizationId\n  status\n  latest {\n    ...HealthCheckFields\n  }\n  trend {\n    bucketStart\n    status\n    checks\n    failures\n    avgLatencyMs\n  }\n}": types.ErrorInfoFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CheckTenantHealth($organizationId: ID!) {\n  checkTenantHealth(organizationId: $organizationId) {\n    health {\n      ...TenantHealthFields\n    }\n  }\n}"): typeof import('./graphql.ts').CheckTenantHealthDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeprovisionTenant($organizationId: ID!, $confirm: String!) {\n  deprovisionTenant(organizationId: $organizationId, confirm: $confirm) {\n    tenant {\n      ...TenantFields\n    }\n  }\n}"): typeof import('./graphql.ts').DeprovisionTenantDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyOrganizations {\n  myOrganizations {\n    id\n    name\n    role\n    tenant {\n      id\n      status\n      healthStatus\n      progress\n    }\n  }\n}"): typeof import('./graphql.ts').MyOrganizationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ProvisionTenant($input: ProvisionTenantInput!) {\n  provisionTenant(input: $input) {\n    created\n    tenant {\n      ...TenantFields\n    }\n  }\n}"): typeof import('./graphql.ts').ProvisionTenantDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RetryTenantProvisioning($organizationId: ID!, $step: ProvisioningStepName) {\n  retryTenantProvisioning(organizationId: $organizationId, step: $step) {\n    tenant {\n      ...TenantFields\n    }\n  }\n}"): typeof import('./graphql.ts').RetryTenantProvisioningDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Tenant($organizationId: ID!) {\n  tenant(organizationId: $organizationId) {\n    ...TenantFields\n  }\n}"): typeof import('./graphql.ts').TenantDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TenantConnectionInfo($organizationId: ID!) {\n  tenantConnectionInfo(organizationId: $organizationId) {\n    organizationId\n    host\n    pooledHost\n    port\n    database\n    role\n    sslMode\n    directUri\n    pooledUri\n  }\n}"): typeof import('./graphql.ts').TenantConnectionInfoDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TenantHealth($organizationId: ID!, $trendHours: Int) {\n  tenantHealth(organizationId: $organizationId, trendHours: $trendHours) {\n    ...TenantHealthFields\n  }\n}"): typeof import('./graphql.ts').TenantHealthDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Tenants($status: TenantStatus, $first: Int, $after: String) {\n  tenants(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...TenantFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}"): typeof import('./graphql.ts').TenantsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ErrorInfoFields on ErrorInfo {\n  code\n  message\n}\n\nfragment TenantFields on Tenant {\n  id\n  organizationId\n  organizationName\n  status\n  plan\n  region\n  computeSize\n  strategy\n  progress\n  steps {\n    name\n    state\n    attempts\n    error {\n      ...ErrorInfoFields\n    }\n    startedAt\n    finishedAt\n  }\n  healthStatus\n  lastHealthCheckAt\n  lastError {\n    ...ErrorInfoFields\n  }\n  createdAt\n  updatedAt\n  provisionedAt\n}\n\nfragment HealthCheckFields on HealthCheck {\n  id\n  status\n  checkedAt\n  latencyMs\n  error {\n    ...ErrorInfoFields\n  }\n}\n\nfragment TenantHealthFields on TenantHealth {\n  organizationId\n  status\n  latest {\n    ...HealthCheckFields\n  }\n  trend {\n    bucketStart\n    status\n    checks\n    failures\n    avgLatencyMs\n  }\n}"): typeof import('./graphql.ts').ErrorInfoFieldsFragmentDoc;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
