export * from './traced-service-options';
export * from './traced-fargate-service';
export * from './traced-ec2-service';
