/// Where container runtimes listen: whoever can reach one of these from a pod is root on the node.
package enum ContainerRuntimeSocket {
    /// The sockets and their directories, under both `/var/run` and `/run` (one is usually a link to the
    /// other). Kubescape's four paths, plus the containerd, CRI-O and cri-dockerd sockets at their other
    /// usual places.
    package static let paths = [
        "/var/run/docker.sock", "/run/docker.sock", "/var/run/docker", "/run/docker",
        "/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock", "/run/k3s/containerd/containerd.sock",
        "/var/run/crio/crio.sock", "/run/crio/crio.sock",
        "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock", "/var/run/dockershim.sock",
    ]
}
