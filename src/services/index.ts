export * from './traced-service-base';
export * from './traced-fargate-service';
export * from './traced-ec2-service';
