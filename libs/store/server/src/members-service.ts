// The Members service (store_service.proto): the raft group, delegated to the MembersPort.
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { ShoalError } from '@shoal/errors';
import { wrapUnary } from '@shoal/grpc';
import type { AddMemberRequest, RemoveMemberRequest } from '@shoal/proto';
import type { MembersServer } from '@shoal/proto-grpc';
import { callerIdentity, MEMBER_ADMIN_ROLES, requireRole } from './identity';
import type { MembersPort, StoreServerPorts } from './ports';
import type { ServiceContext } from './store-service';

/**
 * MembersService implements the Members RPCs by delegating to the raft-store's MembersPort
 * (UNIMPLEMENTED when there is none). Only MEMBER_ADMIN_ROLES may call it. Forwarding conf
 * changes to the leader is the port's business, as only the raft layer can propose them.
 */
export class MembersService {
  /** The constructor binds the ports and the service context. */
  constructor(
    private readonly ports: StoreServerPorts,
    private readonly context: ServiceContext,
  ) {}

  /** handlers returns the grpc-js implementation of MembersService. */
  handlers(): MembersServer {
    const options = { logger: this.context.logger };
    return {
      addMember: wrapUnary(
        (r: AddMemberRequest, call) => this.port(call).addMember(r), options),
      removeMember: wrapUnary(
        (r: RemoveMemberRequest, call) => this.port(call).removeMember(r), options),
      listMembers: wrapUnary((_r: unknown, call) => this.port(call).listMembers(), options),
    };
  }

  private port(call: ServerUnaryCall<unknown, unknown>): MembersPort {
    requireRole(callerIdentity(call, this.context), MEMBER_ADMIN_ROLES, 'manage raft members');
    const members = this.ports.members;
    if (members === undefined) throw ShoalError.unimplemented('this store has no members port');
    return members;
  }
}
