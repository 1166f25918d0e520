import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { XRayTracingRule } from '../../../src/checks/xray-tracing-rule';
import { TracedFargateService } from '../../../src/services/traced-fargate-service';
import { AutoInstrumentation } from '../../../src/sidecar/auto-instrumentation';
import { XRayAgent } from '../../../src/sidecar/xray-agent';
import { createStack } from '../../helpers/app';
import { APP_IMAGE, pathsOf, tracingFindings } from '../fixtures';

const RULE = XRayTracingRule.AGENTLESS_NO_EGRESS;

/** A VPC with public, private-with-NAT and isolated subnets. */
function vpcOf(stack: Stack, natGateways = 1): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      ...(natGateways > 0 ? [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }] : []),
      { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

function service(stack: Stack, vpc: ec2.Vpc, props: Partial<ConstructorParameters<typeof TracedFargateService>[2]>): TracedFargateService {
  return new TracedFargateService(stack, 'Api', {
    cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
    serviceName: 'afirgen-main-backend',
    image: APP_IMAGE,
    agentless: true,
    autoInstrumentation: AutoInstrumentation.node(),
    ...props,
  });
}

describe('XRayTracing-AgentlessNoEgress', () => {
  test('egress: a collector-less service in isolated subnets with no X-Ray endpoint is reported, on the ECS service', () => {
    // GIVEN
    const { stack } = createStack();
    const vpc = vpcOf(stack);

    // WHEN
    service(stack, vpc, { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });

    // THEN
    expect(pathsOf(stack, RULE)).toEqual(['TestStack/Api/Service/Service']);
    expect(tracingFindings(stack).map((f) => f.ruleId)).toEqual([RULE]);
  });

  test('egress: private subnets with a NAT route are fine', () => {
    const { stack } = createStack();
    service(stack, vpcOf(stack), { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });
    expect(tracingFindings(stack)).toEqual([]);
  });

  test('egress: isolated subnets with the com.amazonaws.<region>.xray interface endpoint are fine', () => {
    const { stack } = createStack();
    const vpc = vpcOf(stack);
    vpc.addInterfaceEndpoint('XRay', { service: ec2.InterfaceVpcEndpointAwsService.XRAY });
    service(stack, vpc, { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    expect(tracingFindings(stack)).toEqual([]);
  });

  test('egress: a public subnet with assignPublicIp is fine; without a public IP it is reported', () => {
    const withIp = createStack();
    service(withIp.stack, vpcOf(withIp.stack, 0), { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, assignPublicIp: true });
    expect(tracingFindings(withIp.stack)).toEqual([]);

    const withoutIp = createStack();
    service(withoutIp.stack, vpcOf(withoutIp.stack, 0), { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    expect(pathsOf(withoutIp.stack, RULE)).toEqual(['TestStack/Api/Service/Service']);
  });

  test('egress: an imported VPC (subnets not in the template) is not reported: not knowable at synth', () => {
    const { stack } = createStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-12345678', availabilityZones: ['eu-west-1a'], isolatedSubnetIds: ['subnet-12345678'],
    });
    new TracedFargateService(stack, 'Api', {
      cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
      serviceName: 'svc',
      image: APP_IMAGE,
      agentless: true,
      autoInstrumentation: AutoInstrumentation.node(),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });

  test('egress: a service with an agent sidecar in isolated subnets is not this rule\'s concern', () => {
    const { stack } = createStack();
    new TracedFargateService(stack, 'Api', {
      cluster: new ecs.Cluster(stack, 'Cluster', { vpc: vpcOf(stack) }),
      serviceName: 'svc',
      image: APP_IMAGE,
      sidecar: { agent: XRayAgent.cloudWatchAgent() },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    expect(pathsOf(stack, RULE)).toEqual([]);
  });
});
