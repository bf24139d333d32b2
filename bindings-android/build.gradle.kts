// Inputs written by the release workflow before `gradle assembleRelease`:
//   src/main/jniLibs/<abi>/libdintero_checkout_uniffi.so   (cargo ndk -t arm64-v8a -t x86_64)
//   src/main/kotlin/**                                     (uniffi-bindgen --language kotlin)
plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.21"
}

android {
    namespace = "com.dintero.checkout"
    compileSdk = 35
    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    sourceSets["main"].kotlin.srcDir("src/main/kotlin")
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    // uniffi's generated Kotlin loads the library through JNA; on Android JNA ships as an AAR.
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
}
