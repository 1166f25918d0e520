import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { TracedEc2Service, TracedEc2ServiceProps } from '../../src/services/traced-ec2-service';
import { TracedFargateService, TracedFargateServiceProps } from '../../src/services/traced-fargate-service';
import { TracedServiceBaseProps } from '../../src/services/traced-service-base';
import { XRayAgent } from '../../src/sidecar/xray-agent';
import { createCluster, createStack } from '../helpers/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');

function ec2Cluster(stack: Stack): ecs.Cluster {
  const cluster = createCluster(stack);
  cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });
  return cluster;
}

type Kind = 'fargate' | 'ec2';

/** One traced service of `kind` with `extra` props, in a fresh stack. */
function build(kind: Kind, extra: (stack: Stack) => Partial<TracedFargateServiceProps & TracedEc2ServiceProps>) {
  const { stack } = createStack();
  const cluster = kind === 'fargate' ? createCluster(stack) : ec2Cluster(stack);
  const props = { cluster, serviceName: 'api', image: IMAGE, ...extra(stack) };
  const traced = kind === 'fargate' ? new TracedFargateService(stack, 'Api', props) : new TracedEc2Service(stack, 'Api', props);
  return { stack, traced, template: Template.fromStack(stack) };
}

function appContainer(template: Template): Record<string, any> {
  const defs = Object.values(template.findResources('AWS::ECS::TaskDefinition'))
    .flatMap((td) => td.Properties.ContainerDefinitions as Array<Record<string, any>>);
  const app = defs.find((c) => c.Name === 'app');
  expect(app).toBeDefined();
  return app!;
}

function ecsTasksRole(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
}

describe.each<Kind>(['fargate', 'ec2'])('pass-through on %s', (kind) => {
  test('task: taskRole, executionRole, family and volumes reach the task definition', () => {
    let taskRole!: iam.Role;
    let executionRole!: iam.Role;
    const { stack, template } = build(kind, (s) => {
      taskRole = ecsTasksRole(s, 'TaskRole');
      executionRole = ecsTasksRole(s, 'ExecRole');
      return { taskRole, executionRole, family: 'api-family', volumes: [{ name: 'scratch' }] };
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'api-family',
      TaskRoleArn: stack.resolve(taskRole.roleArn),
      ExecutionRoleArn: stack.resolve(executionRole.roleArn),
      Volumes: [{ Name: 'scratch' }],
    });
    // The agent's X-Ray policy went to the role the user brought.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['xray:PutTraceSegments']) })]) },
      Roles: [stack.resolve(taskRole.roleName)],
    });
  });

  test('service: capacity providers, exec, grace period, circuit breaker, alarms, tags', () => {
    const { stack, template, traced } = build(kind, (s) => {
      const alarm = new cloudwatch.Alarm(s, 'Errors', {
        metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
      });
      return {
        capacityProviderStrategies: [{ capacityProvider: kind === 'fargate' ? 'FARGATE_SPOT' : 'my-ec2-provider', weight: 1 }],
        enableExecuteCommand: true,
        healthCheckGracePeriod: Duration.seconds(90),
        circuitBreaker: { enable: true, rollback: false },
        deploymentAlarms: { alarmNames: [alarm.alarmName] },
        propagateTags: ecs.PropagatedTagSource.SERVICE,
        containerPort: 8000,
      };
    });
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
    expect(service.LaunchType).toBeUndefined();
    expect(service).toMatchObject({
      CapacityProviderStrategy: [{ CapacityProvider: kind === 'fargate' ? 'FARGATE_SPOT' : 'my-ec2-provider', Weight: 1 }],
      EnableExecuteCommand: true,
      HealthCheckGracePeriodSeconds: 90,
      PropagateTags: 'SERVICE',
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: false } },
    });
    expect(service.DeploymentConfiguration.Alarms.AlarmNames).toHaveLength(1);
    // aws-cdk-lib's own grant for ECS Exec, on the task role.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
          Resource: '*',
        })]),
      },
      Roles: [stack.resolve(traced.taskDefinition.taskRole.roleName)],
    });
  });

  test('service: the default circuit breaker rolls back', () => {
    const { template } = build(kind, () => ({}));
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } } });
  });

  test('service: Service Connect on a named port mapping, and Cloud Map', () => {
    const { template } = build(kind, (s) => {
      return {
        portMappings: [{ name: 'api', containerPort: 8000, appProtocol: ecs.AppProtocol.http }],
        serviceConnectConfiguration: { namespace: 'internal.local', services: [{ portMappingName: 'api' }] },
        cloudMapOptions: {
          name: 'api',
          cloudMapNamespace: new servicediscovery.PrivateDnsNamespace(s, 'Ns', { name: 'disc.local', vpc: new ec2.Vpc(s, 'NsVpc', { maxAzs: 1, natGateways: 0 }) }),
        },
      };
    });
    expect(appContainer(template).PortMappings).toEqual([{ Name: 'api', ContainerPort: 8000, Protocol: 'tcp', AppProtocol: 'http' }]);
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
    expect(service.ServiceConnectConfiguration).toMatchObject({ Enabled: true, Services: [{ PortName: 'api' }] });
    expect(service.ServiceRegistries).toHaveLength(1);
  });

  test('app container: command, entry point, health check, user, read-only, working dir, labels, linux params, ulimits, stop timeout, env files', () => {
    const { template } = build(kind, (s) => ({
      command: ['uvicorn', 'app:app'],
      entryPoint: ['/entry.sh'],
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8000/health || exit 1'], interval: Duration.seconds(30) },
      user: '1000',
      readonlyRootFilesystem: true,
      workingDirectory: '/srv',
      dockerLabels: { team: 'ml' },
      linuxParameters: new ecs.LinuxParameters(s, 'Linux', { initProcessEnabled: true }),
      ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: 65536, hardLimit: 65536 }],
      stopTimeout: Duration.seconds(60),
      environmentFiles: [ecs.EnvironmentFile.fromBucket(new s3.Bucket(s, 'Env'), 'api.env')],
    }));
    const app = appContainer(template);
    expect(app).toMatchObject({
      Command: ['uvicorn', 'app:app'],
      EntryPoint: ['/entry.sh'],
      HealthCheck: { Command: ['CMD-SHELL', 'curl -f http://localhost:8000/health || exit 1'], Interval: 30 },
      User: '1000',
      ReadonlyRootFilesystem: true,
      WorkingDirectory: '/srv',
      DockerLabels: { team: 'ml' },
      LinuxParameters: { InitProcessEnabled: true },
      Ulimits: [{ Name: 'nofile', SoftLimit: 65536, HardLimit: 65536 }],
      StopTimeout: 60,
    });
    expect(app.EnvironmentFiles).toHaveLength(1);
    // The library still owns the agent dependency and the tracing variables.
    expect(app.DependsOn).toEqual([{ ContainerName: 'xray-daemon', Condition: 'START' }]);
    expect(app.Environment.map((kv: { Name: string }) => kv.Name)).toContain('AWS_XRAY_DAEMON_ADDRESS');
  });

  test('app container: logging replaces the default log group', () => {
    const { stack, template } = build(kind, (s) => ({
      logging: ecs.LogDrivers.awsLogs({ logGroup: new logs.LogGroup(s, 'Mine'), streamPrefix: 'mine' }),
    }));
    const app = appContainer(template);
    expect(app.LogConfiguration.Options['awslogs-stream-prefix']).toBe('mine');
    expect(app.LogConfiguration.Options['awslogs-group'].Ref).toMatch(/^Mine/);
    expect(Object.keys(template.toJSON().Resources).filter((k) => k.includes('AppLogGroup'))).toEqual([]);
    expect(stack).toBeDefined();
  });
});

describe('pass-through, Fargate only', () => {
  test('runtimePlatform (Graviton), ephemeral storage, platform version, AZ rebalancing', () => {
    const { template } = build('fargate', () => ({
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      ephemeralStorageGiB: 40,
      platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
    }));
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      EphemeralStorage: { SizeInGiB: 40 },
    });
    template.hasResourceProperties('AWS::ECS::Service', { PlatformVersion: '1.4.0', AvailabilityZoneRebalancing: 'ENABLED' });
  });

  test.each([
    ['the X-Ray daemon', () => XRayAgent.daemon()],
    ['the CloudWatch agent', () => XRayAgent.cloudWatchAgent()],
    ['the ADOT collector', () => XRayAgent.adotCollector()],
  ])('ARM64 runs %s at its pinned version (multi-arch)', (_name, agent) => {
    const { template } = build('fargate', () => ({
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      sidecar: { agent: agent() },
    }));
    template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
  });

  test('throws for ARM64 with a daemon version that has no arm64 build', () => {
    expect(() => build('fargate', () => ({
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      sidecar: { agent: XRayAgent.daemon({ version: '3.2.0' }) },
    }))).toThrow(
      'TestStack/Api/XRay: the X-Ray daemon 3.2.0 has no arm64 build (multi-arch images start at 3.3.0), but taskDefinition TestStack/Api/TaskDefinition ' +
      "runs on ARM64: use XRayAgent.daemon({ version: '3.3.0' }) or later, or XRayAgent.cloudWatchAgent()",
    );
  });

  test('throws for ARM64 with an x86-64-only agent tag', () => {
    expect(() => build('fargate', () => ({
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      sidecar: { agent: XRayAgent.adotCollector({ version: 'v0.49.0-amd64' }) },
    }))).toThrow(/^TestStack\/Api\/XRay: agent image ".*aws-otel-collector:v0\.49\.0-amd64" is an x86-64 build, but taskDefinition TestStack\/Api\/TaskDefinition runs on ARM64/);
  });

  test('an x86-64 task keeps an old daemon (no architecture refusal)', () => {
    const { template } = build('fargate', () => ({ sidecar: { agent: XRayAgent.daemon({ version: '3.2.0' }) } }));
    template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
  });

  test('throws for ephemeralStorageGiB out of range', () => {
    expect(() => build('fargate', () => ({ ephemeralStorageGiB: 10 }))).toThrow(/^TestStack\/Api: ephemeralStorageGiB must be .*21.*200.*got 10/);
  });
});

describe('pass-through, EC2 only', () => {
  test('placement strategies and constraints, AZ rebalancing', () => {
    const { template } = build('ec2', () => ({
      placementStrategies: [
        ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
        ecs.PlacementStrategy.spreadAcrossInstances(),
      ],
      placementConstraints: [ecs.PlacementConstraint.memberOf('attribute:ecs.instance-type =~ g5.*')],
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
    }));
    template.hasResourceProperties('AWS::ECS::Service', {
      PlacementStrategies: [{ Type: 'spread', Field: 'attribute:ecs.availability-zone' }, { Type: 'spread', Field: 'instanceId' }],
      PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:ecs.instance-type =~ g5.*' }],
      AvailabilityZoneRebalancing: 'ENABLED',
    });
  });
});

describe('pass-through: bad input', () => {
  const cases: Array<[string, (s: Stack) => Partial<TracedServiceBaseProps>, RegExp | string]> = [
    ['a taskRole ECS tasks cannot assume',
      (s) => ({ taskRole: new iam.Role(s, 'LambdaRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }) }),
      /^TestStack\/Api: taskRole must be assumable by ECS tasks \(a trust policy for the service principal ecs-tasks\.amazonaws\.com\), got TestStack\/LambdaRole, which trusts .*lambda\.amazonaws\.com.*: create it with assumedBy: new iam\.ServicePrincipal\('ecs-tasks\.amazonaws\.com'\)$/],
    ['an executionRole ECS tasks cannot assume',
      (s) => ({ executionRole: new iam.Role(s, 'Ec2Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }) }),
      /^TestStack\/Api: executionRole must be assumable by ECS tasks/],
    ['a Service Connect port name the app container lacks',
      () => ({ containerPort: 8000, serviceConnectConfiguration: { namespace: 'internal.local', services: [{ portMappingName: 'api' }] } }),
      'TestStack/Api: serviceConnectConfiguration.services[0].portMappingName must name a port mapping of the app container, got "api" and the app ' +
      'container has no named port mappings: add portMappings: [{ name: "api", containerPort: ... }]'],
    ['a Service Connect port name that differs from the named mapping',
      () => ({ portMappings: [{ name: 'http', containerPort: 8000 }], serviceConnectConfiguration: { namespace: 'n.local', services: [{ portMappingName: 'api' }] } }),
      /^TestStack\/Api: serviceConnectConfiguration\.services\[0\]\.portMappingName must name a port mapping of the app container, got "api" and the app container has port mappings named "http"/],
    ['containerPort with portMappings',
      () => ({ containerPort: 8000, portMappings: [{ containerPort: 8000 }] }),
      'TestStack/Api: containerPort and portMappings must not both be set (containerPort is the short form of one TCP mapping), got containerPort 8000 and 1 portMappings'],
    ['logRetention with logging',
      (s) => ({ logRetention: logs.RetentionDays.ONE_DAY, logging: ecs.LogDrivers.awsLogs({ logGroup: new logs.LogGroup(s, 'L'), streamPrefix: 'x' }) }),
      'TestStack/Api: logRetention applies only to the default log group and must not be set with logging, got logRetention 1'],
    ['a non-boolean enableExecuteCommand',
      () => ({ enableExecuteCommand: 'yes' as unknown as boolean }),
      'TestStack/Api: enableExecuteCommand must be true or false, got "yes"'],
    ['readonlyRootFilesystem on the CloudWatch agent',
      () => ({ sidecar: { agent: XRayAgent.cloudWatchAgent(), readonlyRootFilesystem: true } }),
      /^TestStack\/Api\/XRay: readonlyRootFilesystem must not be true for the CloudWatch agent: it writes its translated configuration/],
  ];
  test.each(cases)('throws for %s (Fargate)', (_name, extra, message) => {
    expect(() => build('fargate', extra)).toThrow(message);
  });
  test.each(cases)('throws for %s (EC2)', (_name, extra, message) => {
    expect(() => build('ec2', extra)).toThrow(message);
  });

  test('an imported taskRole passes through (its trust is not known at synth time)', () => {
    const { template } = build('fargate', (s) => ({ taskRole: iam.Role.fromRoleArn(s, 'Imported', 'arn:aws:iam::123456789012:role/app') }));
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { TaskRoleArn: 'arn:aws:iam::123456789012:role/app' });
  });
});
