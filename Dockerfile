# One image for every role (SWITCHBOARD_SERVICES picks it). Build: docker build -t switchboard:dev .
# Stage 1: build the fat jar with the project's own Maven build.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY common/pom.xml common/
COPY hub-service/pom.xml hub-service/
COPY stats-service/pom.xml stats-service/
COPY alert-service/pom.xml alert-service/
COPY launcher/pom.xml launcher/
COPY bench/pom.xml bench/
RUN mvn -B -q -pl launcher -am dependency:go-offline -DskipTests || true
COPY . .
RUN mvn -B -q -pl launcher -am package -DskipTests

# Stage 2: a JRE and the jar, as a non-root user.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 switchboard \
 && useradd --system --uid 10001 --gid switchboard --home /app --shell /usr/sbin/nologin switchboard
WORKDIR /app
COPY --from=build /src/launcher/target/switchboard.jar /app/switchboard.jar
USER 10001:10001
EXPOSE 8080 5701
# Container-aware heap: a share of the cgroup memory limit rather than of the host's memory.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/switchboard.jar"]
