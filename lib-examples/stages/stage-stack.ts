import { Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { FilterExpression, TraceGroup, TracedFargateService } from '../../src';

/** Properties of one stage of the example. */
export interface StageStackProps extends StackProps {
  /** The stage's name, e.g. `dev` or `prod`: it prefixes the X-Ray names of this stage. */
  readonly stage: string;
  /** The stage's sampling rate, 0 to 1. */
  readonly samplingRate: number;
}

/**
 * One stage of an app whose dev and prod stacks deploy to the same account and Region. X-Ray's
 * sampling rules and groups are account-wide and match by service name, so each stage traces
 * under its own service name (`dev-orders-api`, `prod-orders-api`): a rule then applies to its
 * stage only, at the stage's rate.
 */
export class StageStack extends Stack {
  public readonly api: TracedFargateService;

  constructor(scope: Construct, id: string, props: StageStackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const serviceName = `${props.stage}-orders-api`;
    this.api = new TracedFargateService(this, 'Api', {
      cluster,
      serviceName,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim'),
      command: ['python', '-m', 'http.server', '8000'],
      containerPort: 8000,
      tracing: { samplingRate: props.samplingRate },
    });
    new TraceGroup(this, 'Errors', {
      groupName: `${props.stage}-orders-errors`,
      filterExpression: FilterExpression.service(serviceName).and(FilterExpression.error()),
    });
  }
}
