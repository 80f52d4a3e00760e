/** The gateway: the local endpoint agent clients talk to. Runtime: plain Node. */
export { startGateway, method, RpcError, type Gateway, type Method, type CallContext } from './server';
export { connectGateway, clientToken, GatewayUnreachable, GatewayCallError, type GatewayClient } from './client';
export { TokenStore, type TokenRecord, type TokenScope } from './tokens';
export { gatewayAddress, gatewayDir, localApproverTokenPath, localClientTokenPath, RPC_ERRORS } from './protocol';
