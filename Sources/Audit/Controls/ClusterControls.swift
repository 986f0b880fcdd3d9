import Inventory

enum ClusterControls {
    static let all: [Control] = []
}
