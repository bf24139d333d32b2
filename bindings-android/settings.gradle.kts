// The Android library (AAR) of the Dintero Checkout SDK: the uniffi-generated Kotlin (the same
// generator as the JVM package) and the Rust library for arm64-v8a and x86_64, built by
// .github/workflows/release.yml (job android-aar). Not built on the Linux CI machine: it has no
// Android SDK. See the README's support matrix.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "dintero-checkout-android"
