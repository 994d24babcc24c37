/**
 * The failure a process worker gives a Dockerfile app: it has no engine to build or run images,
 * and running the Dockerfile's commands as a process would drop the isolation the user asked for.
 */
export const DOCKERFILE_NEEDS_ENGINE =
  "this worker runs apps as processes; Dockerfile apps need a container engine: install Podman on the worker " +
  "(apt-get install podman runc iptables) and restart the agent with --runtime auto or container " +
  "(docs/worker-agent.md, \"Container runtime\"), or set the app's build kind to Detect, Node.js or Static";
