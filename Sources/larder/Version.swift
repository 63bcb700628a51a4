/// The version `larder --version` prints. The image built by tools/image/build.sh is tagged and labelled with it,
/// and it must equal `appVersion` in charts/larder/Chart.yaml (tools/image/check.py checks both).
enum LarderVersion {
    static let string = "0.1.0"
}
